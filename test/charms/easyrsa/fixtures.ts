// Shared states for the easyrsa harness tests: the charm with every bag it writes checked
// against the tls-certificates schema, requirer bags as etcd writes them, and X.509 readers.
import { X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import {
  Harness,
  type HarnessRelation,
  type HarnessResult,
  type HarnessState,
} from '../../../core/charm/index.js';
import { schemaValidateWrite, tlsCertificates } from '../../../core/interfaces/index.js';
import { charm } from '../../../charms/easyrsa/charm.js';

const validateWrite = schemaValidateWrite();

export const harness = Harness.load(
  fileURLToPath(new URL('../../../charms/easyrsa', import.meta.url)),
  charm,
  { validateWrite },
);

/** What etcd/N writes to ask for its server certificate. */
export function serverRequest(commonName: string, sans: string[]): Record<string, string> {
  return tlsCertificates.requirer.request({}, { commonName, sans });
}

export function etcdRelation(remoteUnits: Record<string, Record<string, string>>): HarnessRelation {
  return { id: 1, endpoint: 'client', remoteApp: 'etcd', remoteUnits };
}

export function leader(overrides: Partial<HarnessState> = {}): HarnessState {
  return { unit: 'easyrsa/0', isLeader: true, ...overrides };
}

/** Runs a hook and insists it succeeded, so a failure shows its error, not a later mismatch. */
export async function ok(result: Promise<HarnessResult>): Promise<HarnessResult> {
  const done = await result;
  expect(done.error).toBeUndefined();
  expect(done.ok).toBe(true);
  return done;
}

export function rel(state: HarnessState, id = 1): HarnessRelation {
  const found = state.relations?.find((r) => r.id === id);
  if (found === undefined) throw new Error(`relation ${id} is not in the state`);
  return found;
}

export function caOf(state: HarnessState): string {
  const ca = state.leaderSettings?.['ca.crt'];
  if (ca === undefined) throw new Error('no CA in leader settings');
  return ca;
}

/** The SANs as OpenSSL prints them, e.g. ["DNS:etcd-0", "IP Address:10.0.0.1"]. */
export function sansOf(certPem: string | undefined): string[] {
  return (new X509Certificate(certPem ?? '').subjectAltName ?? '').split(', ').sort();
}

/** Checked the way a TLS peer would: issued by, and verifying under, the CA's key. */
export function issuedBy(certPem: string | undefined, caPem: string): boolean {
  const cert = new X509Certificate(certPem ?? '');
  const ca = new X509Certificate(caPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

/** Every log line and the status, joined: where a private key must never appear. */
export function visibleText(result: HarnessResult): string {
  return [...result.logs.map((l) => l.message), result.state.status?.message ?? ''].join('\n');
}
