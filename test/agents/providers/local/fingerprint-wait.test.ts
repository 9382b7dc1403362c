// Host key fingerprints as `ssh-keygen -lf` prints them, and waitFor's contract: the first value,
// or a timeout error naming what it waited for.
import { describe, expect, it } from 'vitest';
import {
  LocalProviderConfigError,
  WaitTimeoutError,
} from '../../../../agents/providers/local/errors.js';
import { fingerprintOfPublicKeyLine } from '../../../../agents/providers/local/fingerprint.js';
import { waitFor } from '../../../../agents/providers/local/wait.js';

describe('fingerprintOfPublicKeyLine', () => {
  it('matches ssh-keygen -lf', () => {
    // `ssh-keygen -lf` printed: 256 SHA256:Y3AxCuL3LKmwuEMaw1lhl0/VTmB3qjxcr/BkfAPAJxs root@vm (ED25519)
    const line =
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMv27G3Ceb7+JtLW+dWRFck2O7hPNgNiJ/MtLrTzTDUL root@vm';
    expect(fingerprintOfPublicKeyLine(line)).toBe(
      'SHA256:Y3AxCuL3LKmwuEMaw1lhl0/VTmB3qjxcr/BkfAPAJxs',
    );
  });

  it.each(['', 'not a key', 'ssh-ed25519', 'ssh-ed25519 AAAA\nssh-rsa BBBB'])(
    'refuses %j',
    (line) => {
      expect(() => fingerprintOfPublicKeyLine(line)).toThrow(LocalProviderConfigError);
    },
  );
});

describe('waitFor', () => {
  it('resolves with the first defined value', async () => {
    let polls = 0;
    const value = await waitFor(() => (++polls === 3 ? 'ready' : undefined), {
      what: 'x',
      timeoutMs: 5000,
      intervalMs: 1,
    });
    expect(value).toBe('ready');
    expect(polls).toBe(3);
  });

  it('names what it waited for when the deadline passes', async () => {
    let t = 0;
    const now = (): number => (t += 600);
    await expect(
      waitFor(() => undefined, {
        what: 'sshd on 10.0.0.2:22',
        timeoutMs: 1000,
        intervalMs: 1,
        now,
      }),
    ).rejects.toThrow(new WaitTimeoutError('sshd on 10.0.0.2:22', 1000));
  });
});
