// Ed25519 key pairs in OpenSSH's own formats, made with Node's crypto: the controller's key and
// each local machine's host key. Not ssh2's generator: it drops a public key's leading zero
// bytes, so about one key in a hundred could be read neither by sshd ("error in libcrypto") nor
// by ssh2 itself (mscdex/ssh2#1390, #1513).
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

const TYPE = 'ssh-ed25519';

/** RFC 8410: an Ed25519 private key in PKCS#8 is this prefix, then its 32-byte seed. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
/** RFC 8410: its SubjectPublicKeyInfo is 12 bytes of prefix, then the 32-byte public key. */
const SPKI_ED25519_LENGTH = 44;

/** An SSH wire string: a 4-byte big-endian length, then the bytes. */
function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export interface OpenSshKeyPair {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` ..., unencrypted, as `ssh-keygen -N ''` writes it. */
  private: string;
  /** `ssh-ed25519 AAAA... comment`, one line. */
  public: string;
}

/** A fresh Ed25519 key pair; `comment` ends the public line and is kept in the private key. */
export function newEd25519KeyPair(comment: string): OpenSshKeyPair {
  // The seed is ours and OpenSSL only derives the public key: not generateKeyPairSync with a JWK
  // export, which deadlocked a process here (Node 20: the export holds the key's mutex while it
  // allocates, and a GC then finalised the key's generation job, which takes the same mutex).
  const seed = randomBytes(32);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const pub = spki.subarray(spki.length - 32);
  if (spki.length !== SPKI_ED25519_LENGTH) throw new Error('unexpected Ed25519 key size');
  const blob = Buffer.concat([sshString(TYPE), sshString(pub)]);
  const check = randomBytes(4).readUInt32BE(0);
  const secret = Buffer.concat([
    uint32(check),
    uint32(check),
    blob,
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ]);
  // Padded with 1, 2, 3, ... to the cipher's block size, 8 for "none".
  const pad = Buffer.from(Array.from({ length: (8 - (secret.length % 8)) % 8 }, (_, i) => i + 1));
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(blob),
    sshString(Buffer.concat([secret, pad])),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return {
    private: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
    public: `${TYPE} ${blob.toString('base64')} ${comment}`,
  };
}
