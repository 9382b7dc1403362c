// Sealing one value (issue 15 item 6): round trips any text, never the same sealed text twice for
// one value (so a copied store does not show which secrets are equal), and a changed byte fails.
import { describe, expect, it } from 'vitest';
import { StoreDecryptError } from '../../../core/store/errors.js';
import { StoreCipher, isSealed } from '../../../core/store/store-cipher.js';
import { newStoreKey } from '../../../core/store/store-key.js';

describe('StoreCipher', () => {
  it('round trips text, with the key id in front and a fresh nonce each time', () => {
    const key = newStoreKey();
    const cipher = new StoreCipher(key);
    const plain = '{"token":"s3cr\u00e9t \ud83d\udd11"}';
    const a = cipher.seal(plain);
    const b = cipher.seal(plain);
    expect(a.startsWith(`enc1:${key.id}:`)).toBe(true);
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cr');
    // A second cipher has nothing remembered: this decrypts.
    const fresh = new StoreCipher(key);
    expect(fresh.open(a, 't.c')).toBe(plain);
    expect(fresh.open(b, 't.c')).toBe(plain);
    expect(fresh.open('', 't.c')).toBe('');
    expect(fresh.open(fresh.seal(''), 't.c')).toBe('');
  });

  it('passes through what was never sealed (the defaults SQLite writes)', () => {
    const cipher = new StoreCipher(newStoreKey());
    expect(isSealed('{}')).toBe(false);
    expect(cipher.open('{}', 'units.charm_state')).toBe('{}');
  });

  it('fails on a truncated or changed value instead of returning garbage', () => {
    const key = newStoreKey();
    const sealed = new StoreCipher(key).seal('the CA key');
    const reader = new StoreCipher(key);
    expect(() => reader.open(sealed.slice(0, 30), 'leader_settings.value')).toThrow(
      StoreDecryptError,
    );
    const body = Buffer.from(sealed.split(':')[2] ?? '', 'base64');
    body[14] = (body[14] ?? 0) ^ 1;
    const changed = `enc1:${key.id}:${body.toString('base64')}`;
    expect(() => reader.open(changed, 'leader_settings.value')).toThrow(
      'a value in leader_settings.value does not decrypt',
    );
  });

  it('opens only what the current key sealed once it moves on', () => {
    const cipher = new StoreCipher(newStoreKey());
    const before = cipher.seal('x');
    const next = newStoreKey();
    cipher.useKey(next);
    expect(() => cipher.open(before, 'rollouts.record')).toThrow(`not the current key ${next.id}`);
    expect(cipher.open(cipher.seal('x'), 'rollouts.record')).toBe('x');
  });
});
