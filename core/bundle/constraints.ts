// Juju's constraints syntax (`cores=2 mem=4G root-disk=16G`): keys and value shapes. Pure.
import { closest, distance } from 'fastest-levenshtein';

type Check = (value: string) => string | undefined;

const SIZE = /^\d+(?:\.\d+)?[MGTP]?$/;
const COUNT = /^\d+$/;

const size: Check = (v) =>
  SIZE.test(v) ? undefined : `must be a size like 4G or 512M, got "${v}"`;
const count: Check = (v) =>
  COUNT.test(v) ? undefined : `must be a non-negative integer, got "${v}"`;
const text: Check = (v) => (v === '' ? 'must not be empty' : undefined);
const list: Check = (v) =>
  v.split(',').some((part) => part.trim() === '')
    ? `must be a comma-separated list, got "${v}"`
    : undefined;
const oneOf =
  (...allowed: string[]): Check =>
  (v) =>
    allowed.includes(v) ? undefined : `must be one of ${allowed.join(', ')}, got "${v}"`;

const KEYS: Record<string, Check> = {
  arch: oneOf('amd64', 'arm64', 'ppc64el', 's390x', 'riscv64'),
  cores: count,
  'cpu-cores': count,
  'cpu-power': count,
  mem: size,
  'root-disk': size,
  'root-disk-source': text,
  container: oneOf('lxd', 'kvm'),
  'instance-type': text,
  'instance-role': text,
  'virt-type': text,
  image: text,
  tags: list,
  spaces: list,
  zones: list,
  'allocate-public-ip': oneOf('true', 'false'),
};

export interface ConstraintProblem {
  /** The constraint key the problem is about, when there is one. */
  key?: string;
  message: string;
}

/** Every problem in a constraints string; [] when it is valid (the empty string is valid). */
export function checkConstraints(value: string): ConstraintProblem[] {
  const problems: ConstraintProblem[] = [];
  const seen = new Set<string>();
  for (const term of value.trim().split(/\s+/)) {
    if (term === '') continue;
    const eq = term.indexOf('=');
    if (eq <= 0) {
      problems.push({ message: `malformed constraint "${term}": expected key=value` });
      continue;
    }
    const key = term.slice(0, eq);
    const check = KEYS[key];
    if (!check) {
      const near = closest(key, Object.keys(KEYS));
      const hint = distance(key, near) <= 2 ? ` (did you mean "${near}"?)` : '';
      problems.push({ key, message: `unknown constraint "${key}"${hint}` });
      continue;
    }
    if (seen.has(key)) {
      problems.push({ key, message: `constraint "${key}" is given more than once` });
      continue;
    }
    seen.add(key);
    // `key=` resets a constraint in Juju; it is accepted.
    const raw = term.slice(eq + 1);
    const problem = raw === '' ? undefined : check(raw);
    if (problem) problems.push({ key, message: `constraint ${key} ${problem}` });
  }
  return problems;
}
