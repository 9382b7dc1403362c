// Shared fixtures for the interface tests: PEM-shaped values (not real keys) and a one-line way
// to validate a bag and read its problems as the messages users see.
import { formatProblem } from '../../../core/interfaces/errors.js';
import { validateDatabag } from '../../../core/interfaces/registry.js';
import type { DatabagScope, InterfaceRole } from '../../../core/interfaces/types.js';

export const CERT = '-----BEGIN CERTIFICATE-----\nMIIBtestcert\n-----END CERTIFICATE-----\n';
export const KEY =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEtestkeySECRET\n-----END RSA PRIVATE KEY-----\n';
export const SECRET_MARK = 'SECRET';

export const REL = 'etcd:db - kubernetes-master:etcd';

export interface Where {
  scope?: DatabagScope;
  owner?: string;
  relation?: string;
}

/** The formatted problems of `bag` as the given side's bag. */
export function problems(
  iface: string,
  role: InterfaceRole,
  bag: Record<string, unknown>,
  where: Where = {},
): string[] {
  const scope = where.scope ?? 'unit';
  return validateDatabag({
    interface: iface,
    role,
    scope,
    bag,
    relation: where.relation ?? REL,
    owner: where.owner ?? (scope === 'unit' ? 'etcd/0' : 'etcd'),
    when: 'write',
  }).map(formatProblem);
}

/** The single message expected for `key` in the default relation and unit. */
export function at(key: string, message: string, owner = 'unit etcd/0'): string {
  return `relation ${REL}, ${owner}, key ${key}: ${message}`;
}

/** `bag` without `key`. */
export function without(bag: Record<string, string>, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(bag).filter(([k]) => k !== key));
}
