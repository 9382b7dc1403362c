// Fingerprints match what `ssh-keygen -lf` prints, and pinning refuses any other key.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fingerprint, hostKeyCheck } from '../../../agents/machine/host-keys.js';

// A throwaway public key and the fingerprint `ssh-keygen -lf` printed for it.
const ED25519_PUB = 'AAAAC3NzaC1lZDI1NTE5AAAAIIy5tz3usWvXzsObXKQoQOkt8SwGubjBceJruDlt39Oe';
const ED25519_FP = 'SHA256:6Dr0pW7ejY1gRCFuh0Oc5AxKNGK8JAqdRqPtkojPT5s';

const blob = (base64: string) => Buffer.from(base64, 'base64');

describe('fingerprint', () => {
  test('is what ssh-keygen -lf printed for a known key', () => {
    expect(fingerprint(blob(ED25519_PUB))).toBe(ED25519_FP);
  });

  test.each(['ed25519', 'rsa', 'ecdsa'])('matches ssh-keygen -lf for a fresh %s key', (type) => {
    const dir = mkdtempSync(join(tmpdir(), 'rune-fp-'));
    try {
      const key = join(dir, 'key');
      execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', key]);
      const printed = execFileSync('ssh-keygen', ['-lf', `${key}.pub`])
        .toString()
        .split(' ')[1];
      const base64 = readFileSync(`${key}.pub`, 'utf8').split(' ')[1] ?? '';
      expect(fingerprint(blob(base64))).toBe(printed);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hostKeyCheck', () => {
  test('on first contact accepts any key and exposes its fingerprint', () => {
    const check = hostKeyCheck(undefined);
    expect(check.verify(blob(ED25519_PUB))).toBe(true);
    expect(check.presented).toBe(ED25519_FP);
    expect(check.mismatch).toBeUndefined();
  });

  test('accepts the pinned key', () => {
    expect(hostKeyCheck(ED25519_FP).verify(blob(ED25519_PUB))).toBe(true);
  });

  test('refuses another key and records both fingerprints', () => {
    const check = hostKeyCheck('SHA256:somethingElse');
    expect(check.verify(blob(ED25519_PUB))).toBe(false);
    expect(check.mismatch).toEqual({ expected: 'SHA256:somethingElse', presented: ED25519_FP });
  });
});
