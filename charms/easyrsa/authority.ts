// The CA and the shared client certificate, kept in the application's leader settings: every
// unit reads them, only the leader writes them, and a new leader inherits them unchanged.
import type { ReadBag, WriteBag } from '../../core/charm/index.js';
import { takeKey } from './key-pool.js';
import { createCA, issueCertificate, signedBy } from './pki.js';
import type { Authority } from './requests.js';

// Leader-settings keys; the file names in a backup archive are the same.
export const CA_CERT = 'ca.crt';
export const CA_KEY = 'ca.key';
export const CLIENT_CERT = 'client.crt';
export const CLIENT_KEY = 'client.key';

// 1.21's easyrsa signed one certificate named "client" that every requirer shared.
const CLIENT_NAME = 'client';

/** The CA and client certificate in the settings, or undefined while either is missing. */
export function readAuthority(settings: ReadBag): Authority | undefined {
  const caCert = settings.get(CA_CERT);
  const caKey = settings.get(CA_KEY);
  const clientCert = settings.get(CLIENT_CERT);
  const clientKey = settings.get(CLIENT_KEY);
  if (caCert === undefined || caKey === undefined) return undefined;
  if (clientCert === undefined || clientKey === undefined) return undefined;
  return { ca: { cert: caCert, key: caKey }, client: { cert: clientCert, key: clientKey } };
}

export function writeAuthority(settings: WriteBag, authority: Authority): void {
  settings.set(CA_CERT, authority.ca.cert);
  settings.set(CA_KEY, authority.ca.key);
  settings.set(CLIENT_CERT, authority.client.cert);
  settings.set(CLIENT_KEY, authority.client.key);
}

/**
 * The leader's authority, made on first need: the CA once, ever (a new leader finds it in the
 * settings and keeps it, or every certificate already handed out would stop verifying), and the
 * client certificate whenever the one kept is not from this CA (after a partial restore).
 * Returns what was made, for the log.
 */
export async function ensureAuthority(
  settings: WriteBag,
  caName: string,
): Promise<{ authority: Authority; made: string[] }> {
  const made: string[] = [];
  const caCert = settings.get(CA_CERT);
  const caKey = settings.get(CA_KEY);
  const ca = caCert !== undefined && caKey !== undefined ? { cert: caCert, key: caKey } : undefined;
  const clientCert = settings.get(CLIENT_CERT);
  const clientKey = settings.get(CLIENT_KEY);
  let client =
    clientCert !== undefined && clientKey !== undefined
      ? { cert: clientCert, key: clientKey }
      : undefined;
  // On a first run both keys are needed: taken (or generated) side by side.
  const newCaKey = ca === undefined ? takeKey() : undefined;
  const newClientKey = ca === undefined ? takeKey() : undefined;
  const authorityCa = ca ?? (await createCA(caName, new Date(), newCaKey));
  if (ca === undefined) made.push('the CA');
  if (client === undefined || !signedBy(client.cert, authorityCa.cert)) {
    const request = { commonName: CLIENT_NAME, sans: [], kind: 'client' as const };
    client = await issueCertificate(authorityCa, request, new Date(), newClientKey ?? takeKey());
    made.push('the client certificate');
  }
  const authority = { ca: authorityCa, client };
  writeAuthority(settings, authority);
  return { authority, made };
}
