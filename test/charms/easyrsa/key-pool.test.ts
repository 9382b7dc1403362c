// The spare-key pool: every caller gets its own fresh RSA 2048 key, however many ask at once.
import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { takeKey, warmKeys } from '../../../charms/easyrsa/key-pool.js';

describe('takeKey', () => {
  it('hands out distinct RSA 2048 keys, more than the pool keeps, to callers asking at once', async () => {
    warmKeys();
    const keys = await Promise.all(Array.from({ length: 7 }, () => takeKey()));
    const pems = keys.map((k) => k.pem);
    expect(new Set(pems).size).toBe(7);
    for (const pem of pems) {
      const key = createPrivateKey(pem);
      expect(key.asymmetricKeyType).toBe('rsa');
      expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    }
  });

  it('pairs each private key with its own public key', async () => {
    const key = await takeKey();
    const n = createPrivateKey(key.pem).export({ format: 'jwk' }).n;
    const fromForge = Buffer.from(key.forgePublic.n.toString(16), 'hex').toString('base64url');
    expect(fromForge).toBe(n);
  });
});
