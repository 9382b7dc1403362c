// `KEY=value` lines, as `systemctl show` and Rune's supervisor print them: a map, and integers
// read strictly (digits only), so a missing or odd value is undefined rather than NaN.

export interface KeyValues {
  get(key: string): string | undefined;
  int(key: string): number | undefined;
}

export function parseKeyValues(text: string): KeyValues {
  const props = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) props.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return {
    get: (key) => props.get(key),
    int: (key) => {
      const value = props.get(key);
      return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
    },
  };
}
