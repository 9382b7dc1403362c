// The spare-key pool: every caller gets its own fresh RSA 2048 key, however many ask at once.
import { createPrivateKey } from 'node:crypto';
import { availableParallelism } from 'node:os';
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

    it('are not replaced during a burst, are raced for a caller who finds none, refill once quiet', async () => {
      // A fresh pool, warmed up the way the controller warms the charm at deploy.
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
      // A caller who finds none ready gets the first of one key per core, generated at once.
      const late = pool.takeKey();
      expect(pool.spareKeys().generating).toBe(Math.max(1, availableParallelism()));
      expect(burst.map((k) => k.pem)).not.toContain((await late).pem);
      // No key is started for spares until the CA has been quiet for QUIET_MS (the one still
      // racing may finish: ready plus generating stays put).
      const total = () => pool.spareKeys().ready + pool.spareKeys().generating;
      const racing = total();
      vi.advanceTimersByTime(pool.QUIET_MS - 100);
      expect(total()).toBe(racing);
      vi.advanceTimersByTime(200);
      expect(total()).toBeGreaterThan(racing);
    });
  });
});
