// The CA and the shared client certificate, kept in the application's leader settings: every
// unit reads them, only the leader writes them, and a new leader inherits them unchanged.
import type { ReadBag, WriteBag } from 'rune/charm';
import { takeKey } from './key-pool.js';
import { type KeyPair, createCA, issueCertificate, signedBy } from './pki.js';
import { DEFAULT_POLICY, type RenewalPolicy, issueTime, renewalDue } from './renewal.js';

// Leader-settings keys; the file names in a backup archive are the same.
export const CA_CERT = 'ca.crt';
export const CA_KEY = 'ca.key';
export const CLIENT_CERT = 'client.crt';
export const CLIENT_KEY = 'client.key';

// 1.21's easyrsa signed one certificate named "client" that every requirer shared.
const CLIENT_NAME = 'client';

/** The CA in the settings, or undefined before the leader made one. */
export function readCa(settings: ReadBag): KeyPair | undefined {
  const cert = settings.get(CA_CERT);
  const key = settings.get(CA_KEY);
  return cert === undefined || key === undefined ? undefined : { cert, key };
}

function readClient(settings: ReadBag): KeyPair | undefined {
  const cert = settings.get(CLIENT_CERT);
  const key = settings.get(CLIENT_KEY);
  return cert === undefined || key === undefined ? undefined : { cert, key };
}

export function writeAuthority(
  settings: WriteBag,
  authority: { ca: KeyPair; client: KeyPair },
): void {
  settings.set(CA_CERT, authority.ca.cert);
  settings.set(CA_KEY, authority.ca.key);
  writeClient(settings, authority.client);
}

function writeClient(settings: WriteBag, client: KeyPair): void {
  settings.set(CLIENT_CERT, client.cert);
  settings.set(CLIENT_KEY, client.key);
}

/**
 * The leader's CA, made on first need, once ever: a new leader finds it in the settings and
 * keeps it, or every certificate already handed out would stop verifying. `made` says whether
 * this call made it, for the log.
 */
export async function ensureCa(
  settings: WriteBag,
  caName: string,
): Promise<{ ca: KeyPair; made: boolean }> {
  const kept = readCa(settings);
  if (kept !== undefined) return { ca: kept, made: false };
  const ca = await createCA(caName, new Date(), takeKey());
  settings.set(CA_CERT, ca.cert);
  settings.set(CA_KEY, ca.key);
  return { ca, made: true };
}

/**
 * The shared client certificate from this CA: the one kept, unless it is missing, from another
 * CA (after a partial restore) or due for renewal (renewal.ts). With `make`, a new one is signed
 * then (waiting for a key if none is ready); without, the one due still serves (`due`), and a
 * missing or foreign one is undefined, for a later hook. `made` is for the log.
 */
export async function ensureClient(
  settings: WriteBag,
  ca: KeyPair,
  make: boolean,
  policy: RenewalPolicy = DEFAULT_POLICY,
): Promise<{ client: KeyPair | undefined; made: boolean; due?: boolean }> {
  const kept = readClient(settings);
  const now = new Date();
  const valid = kept !== undefined && signedBy(kept.cert, ca.cert);
  if (valid && !renewalDue(kept.cert, policy, now)) return { client: kept, made: false };
  // One due for renewal still serves until its successor is made.
  if (!make)
    return valid ? { client: kept, made: false, due: true } : { client: undefined, made: false };
  const request = { commonName: CLIENT_NAME, sans: [], kind: 'client' as const };
  const client = await issueCertificate(
    ca,
    request,
    issueTime(policy, now),
    takeKey(),
    policy.lifetimeMs,
  );
  writeClient(settings, client);
  return { client, made: true };
}
