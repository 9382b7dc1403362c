// The spare-key pool: every caller gets its own fresh RSA 2048 key, however many ask at once.
import { createPrivateKey } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

  describe('spare keys', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('taken in a burst are replaced only once the CA is quiet', async () => {
      // A fresh pool, warmed up the way the charm's module does when it loads.
      vi.resetModules();
      const pool = await import('../../../charms/easyrsa/key-pool.js');
      pool.warmKeys();
      await vi.waitFor(() => expect(pool.spareKeys()).toEqual({ ready: 5, generating: 0 }), {
        timeout: 60_000,
        interval: 20,
      });
      vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      const burst = await Promise.all(Array.from({ length: 5 }, () => pool.takeKey()));
      expect(new Set(burst.map((k) => k.pem)).size).toBe(5);
      // No key is made while requests keep coming: the CPU goes to the hooks asking.
      expect(pool.spareKeys()).toEqual({ ready: 0, generating: 0 });
      vi.advanceTimersByTime(pool.QUIET_MS - 100);
      expect(pool.spareKeys().generating).toBe(0);
      vi.advanceTimersByTime(200);
      expect(pool.spareKeys().generating).toBe(2);
    });
  });
});
