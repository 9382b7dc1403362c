// easyrsa's spare keys start when the controller warms the charm (or the leader's first hook),
// never when its module is imported: importing a charm has no side effects.
import { describe, expect, it, vi } from 'vitest';

describe('easyrsa warm-up', () => {
  it('generates nothing on import, and starts spare keys when warmed', async () => {
    vi.resetModules();
    const { charm } = await import('../../../charms/easyrsa/charm.js');
    const pool = await import('../../../charms/easyrsa/key-pool.js');
    expect(pool.spareKeys()).toEqual({ ready: 0, generating: 0 });
    expect(charm.warm).toBe(pool.warmKeys);
    charm.warm?.();
    expect(pool.spareKeys().generating).toBeGreaterThan(0);
  });
});
