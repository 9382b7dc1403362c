// Command-line flags for the Kubernetes binaries: rendered from a map so the order is stable
// (tests assert exact argv), with the operator's `*-extra-args` config merged over the charm's
// own. Pure.

export type Flags = Record<string, string>;

export interface ExtraArgs {
  flags: Flags;
  /** Words that are no flag, quoted as written, for a blocked status. */
  problems: string[];
}

const NAME = /^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*$/i;

/** `a=b c --d=e` → {a: 'b', c: 'true', d: 'e'}: Charmed Kubernetes' `*-extra-args` syntax. */
export function parseExtraArgs(text: string): ExtraArgs {
  const flags: Flags = {};
  const problems: string[] = [];
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const at = word.indexOf('=');
    const name = (at < 0 ? word : word.slice(0, at)).replace(/^--?/, '');
    if (!NAME.test(name)) {
      problems.push(JSON.stringify(word));
      continue;
    }
    flags[name] = at < 0 ? 'true' : word.slice(at + 1);
  }
  return { flags, problems };
}

/** `--name=value`, sorted by name; the operator's extra flags win over the charm's. */
export function renderFlags(base: Flags, extra: Flags = {}): string[] {
  const merged = { ...base, ...extra };
  return Object.keys(merged)
    .sort()
    .map((name) => `--${name}=${merged[name] ?? ''}`);
}
