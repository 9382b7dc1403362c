// Ed25519 key pairs in OpenSSH's own formats, made with Node's crypto: the controller's key and
// each local machine's host key. Not ssh2's generator: it drops a public key's leading zero
// bytes, so about one key in a hundred could be read neither by sshd ("error in libcrypto") nor
// by ssh2 itself (mscdex/ssh2#1390, #1513).
import { generateKeyPairSync, randomBytes } from 'node:crypto';

const TYPE = 'ssh-ed25519';

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
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d ?? '', 'base64url');
  const pub = Buffer.from(jwk.x ?? '', 'base64url');
  if (seed.length !== 32 || pub.length !== 32) throw new Error('unexpected Ed25519 key size');
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
