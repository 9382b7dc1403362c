// OpenSSH-style host key fingerprints (`SHA256:` + unpadded base64 of the key blob's SHA-256),
// the same text `ssh-keygen -lf` prints, so the controller can pin a machine's key. No I/O.
import { createHash } from 'node:crypto';
import { LocalProviderConfigError } from './errors.js';

/** Fingerprint of a raw public key blob (what ssh2's hostVerifier receives). */
export function fingerprintOfBlob(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The base64 key blob of one OpenSSH public key line, or undefined if it is not one. */
export function publicKeyBlob(line: string): string | undefined {
  if (/[\r\n]/.test(line.trim())) return undefined;
  const [type, blob] = line.trim().split(/\s+/);
  if (type === undefined || !/^(ssh-|ecdsa-|sk-)[a-z0-9@.-]+$/.test(type)) return undefined;
  if (blob === undefined || !/^[A-Za-z0-9+/]+=*$/.test(blob)) return undefined;
  return blob;
}

/** Fingerprint of one OpenSSH public key line, `ssh-ed25519 AAAA... comment`. */
export function fingerprintOfPublicKeyLine(line: string): string {
  const blob = publicKeyBlob(line);
  if (blob === undefined) {
    throw new LocalProviderConfigError('public key', line, 'not one OpenSSH public key line');
  }
  return fingerprintOfBlob(Buffer.from(blob, 'base64'));
}
