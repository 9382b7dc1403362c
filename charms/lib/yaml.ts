// A small YAML writer for the documents these charms render (kubeconfigs, KubeletConfiguration).
// Charms import only the SDK and node: builtins, so the `yaml` package is out of reach; the data
// here is plain maps, lists and scalars, which is all this handles. Pure.

export type YamlValue =
  string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

// Plain (unquoted) only when no YAML reader could take it for anything but this string.
const PLAIN = /^[A-Za-z_/.][A-Za-z0-9_./:@,=+-]*$/;
const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  if (PLAIN.test(value) && !RESERVED.test(value) && !value.endsWith(':')) return value;
  // A JSON string is a valid YAML double-quoted scalar: every JSON escape is a YAML escape.
  return JSON.stringify(value);
}

function isEmpty(value: YamlValue): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

function isCollection(value: YamlValue): value is YamlValue[] | { [key: string]: YamlValue } {
  return typeof value === 'object' && value !== null && !isEmpty(value);
}

function inline(value: YamlValue): string {
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'object' && value !== null) return '{}';
  return scalar(value);
}

function lines(value: YamlValue): string[] {
  if (!isCollection(value)) return [inline(value)];
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const [first = '', ...rest] = lines(item);
      return [`- ${first}`, ...rest.map((l) => `  ${l}`)];
    });
  }
  return Object.entries(value).flatMap(([key, item]) => {
    const name = scalar(key);
    if (!isCollection(item)) return [`${name}: ${inline(item)}`];
    return [`${name}:`, ...lines(item).map((l) => `  ${l}`)];
  });
}

/** One YAML document, keys in the order given, ending with a newline. */
export function toYaml(value: YamlValue): string {
  return `${lines(value).join('\n')}\n`;
}
