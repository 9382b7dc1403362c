// Host-key fingerprints and pinning (DESIGN §12): trust on first use, then refuse any other key.
// The verifier is handed to ssh2's `hostVerifier`; it records what it saw so the connect call can
// reject with HostKeyChangedError instead of ssh2's generic "verification failed".
import { createHash } from 'node:crypto';

/** `SHA256:<base64 without padding>` of the raw key blob, exactly as `ssh-keygen -lf` prints. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key as an OpenSSH public key line (`ssh-ed25519 AAAA...`), for a known_hosts file. */
export function publicKeyLine(keyBlob: Buffer): string {
  // The blob starts with the key type as an SSH string: a 4-byte length, then the name.
  const length = keyBlob.length >= 4 ? keyBlob.readUInt32BE(0) : 0;
  const type = keyBlob.subarray(4, 4 + length).toString('latin1');
  return `${type} ${keyBlob.toString('base64')}`;
}

export interface HostKeyCheck {
  /** For ssh2's `hostVerifier`: true accepts the key. */
  verify(keyBlob: Buffer): boolean;
  /** The fingerprint the server presented on the latest attempt, once it has. */
  readonly presented: string | undefined;
  /** The presented key itself, as a public key line. */
  readonly presentedKey: string | undefined;
  /** Set when the latest presented key differed from the pinned one. */
  readonly mismatch: { expected: string; presented: string } | undefined;
}

/** A verifier for one connection attempt; `pinned` undefined means first contact. */
export function hostKeyCheck(pinned: string | undefined): HostKeyCheck {
  let presented: string | undefined;
  let presentedKey: string | undefined;
  let mismatch: { expected: string; presented: string } | undefined;
  return {
    verify(keyBlob) {
      presented = fingerprint(keyBlob);
      presentedKey = publicKeyLine(keyBlob);
      if (pinned === undefined || pinned === presented) return true;
      mismatch = { expected: pinned, presented };
      return false;
    },
    get presented() {
      return presented;
    },
    get presentedKey() {
      return presentedKey;
    },
    get mismatch() {
      return mismatch;
    },
  };
}
