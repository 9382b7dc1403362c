// What redact() hides before text reaches a log, status, error or event, and what it leaves.
import { describe, expect, it } from 'vitest';
import { isSecretSetting, redact } from '../../../core/model/redact.js';

describe('redact', () => {
  it.each([
    [
      'key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY----- done',
      'key: [private key redacted] done',
    ],
    ['cut off: -----BEGIN RSA PRIVATE KEY-----\nMIIE', 'cut off: [private key redacted]'],
    ['password=hunter2 next', 'password=[redacted] next'],
    ['auth_token: "abc def" next', 'auth_token: [redacted] next'],
    ["client-secret='x y'", 'client-secret=[redacted]'],
    ['etcd.private_key: zzz', 'etcd.private_key: [redacted]'],
  ])('hides %j', (text, want) => {
    expect(redact(text)).toBe(want);
  });

  it.each([
    'add "stranger ALL=(ALL) NOPASSWD:ALL" to /etc/sudoers.d/rune',
    'host key SHA256:abc changed',
    '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
    'the token was refused',
  ])('leaves %j as it is', (text) => {
    expect(redact(text)).toBe(text);
  });
});

describe('isSecretSetting', () => {
  it('says which option values an export must leave out', () => {
    expect(isSecretSetting('admin-password', 'x')).toBe(true);
    expect(isSecretSetting('api_token', 'x')).toBe(true);
    expect(isSecretSetting('extra', '-----BEGIN RSA PRIVATE KEY-----\nMIIE')).toBe(true);
    expect(isSecretSetting('channel', '1.21/stable')).toBe(false);
    expect(isSecretSetting('tokens-enabled', 'true')).toBe(false);
  });
});
