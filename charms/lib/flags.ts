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

/** Each `*-extra-args` option parsed for its service; the first bad one as a blocked message. */
export function readExtraArgs<S extends string>(
  config: Readonly<Record<string, unknown>>,
  options: readonly (readonly [option: string, service: S])[],
): Partial<Record<S, Flags>> | string {
  const extra: Partial<Record<S, Flags>> = {};
  for (const [option, service] of options) {
    const value = config[option];
    const parsed = parseExtraArgs(typeof value === 'string' ? value : '');
    if (parsed.problems.length > 0)
      return `Invalid ${option}: ${parsed.problems.join(', ')} is not key=value or a flag name`;
    extra[service] = parsed.flags;
  }
  return extra;
}

/** kube-proxy's own flags, the same on masters and workers (Charmed Kubernetes 1.21). */
export function kubeProxyFlags(
  node: { clusterCidr: string; hostname: string },
  kubeconfig: string,
): Flags {
  return {
    'cluster-cidr': node.clusterCidr,
    'hostname-override': node.hostname,
    kubeconfig,
    logtostderr: 'true',
    v: '0',
  };
}
