// The registration string add-user prints: it round-trips, and anything else is refused with a
// message saying it is not one (a truncated copy, another tool's token).
import { describe, expect, it } from 'vitest';
import {
  decodeRegistration,
  encodeRegistration,
  parseAddress,
  type Registration,
  RegistrationStringError,
} from '../../../core/controller/registration.js';

const registration: Registration = {
  controller: 'hq',
  id: 'abc123',
  provider: 'sim',
  user: 'bob',
  addresses: ['127.0.0.1:17070', '[::1]:17071'],
  caFingerprint: 'AB:CD',
  secret: 's3cret',
  expiresAt: '2026-12-08T10:00:00.000Z',
};

describe('registration strings', () => {
  it('round-trip, as one shell word', () => {
    const text = encodeRegistration(registration);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeRegistration(`  ${text}\n`)).toEqual(registration);
  });

  it.each([
    ['not base64url', 'hello world'],
    ['its content is not JSON', Buffer.from('{nope').toString('base64url')],
    ['unknown version 7', Buffer.from('{"v":7}').toString('base64url')],
    [
      'no secret',
      Buffer.from(JSON.stringify({ ...registration, v: 1, secret: '' })).toString('base64url'),
    ],
    [
      'no API address',
      Buffer.from(JSON.stringify({ ...registration, v: 1, addresses: ['nowhere'] })).toString(
        'base64url',
      ),
    ],
  ])('refuses a string with %s', (reason, text) => {
    expect(() => decodeRegistration(text)).toThrow(RegistrationStringError);
    expect(() => decodeRegistration(text)).toThrow(`not a Rune registration string (${reason})`);
  });

  it('reads host:port addresses, IPv6 in brackets', () => {
    expect(parseAddress('10.0.0.1:443')).toEqual({ host: '10.0.0.1', port: 443 });
    expect(parseAddress('[::1]:17070')).toEqual({ host: '::1', port: 17070 });
    expect(parseAddress('host')).toBeUndefined();
    expect(parseAddress('host:0')).toBeUndefined();
    expect(parseAddress('host:70000')).toBeUndefined();
  });
});
