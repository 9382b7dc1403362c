// What LocalProvider refuses before touching the host: bad controller ids, state dirs overlayfs
// cannot take, anything but one public key line, and instance ids of another controller.
import { describe, expect, it } from 'vitest';
import { LocalProviderConfigError } from '../../../../agents/providers/local/errors.js';
import { LocalProvider } from '../../../../agents/providers/local/local-provider.js';

const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMv27G3Ceb7+JtLW+dWRFck2O7hPNgNiJ/MtLrTzTDUL ctl';
const ok = { controllerId: 'abc123', stateDir: '/var/lib/rune', authorizedKey: key };

describe('LocalProvider options', () => {
  it.each([
    [{ ...ok, controllerId: 'ABC123' }, /controller id "ABC123": must be 6 lowercase hex/],
    [{ ...ok, stateDir: 'relative/dir' }, /state dir "relative\/dir": must be an absolute path/],
    [{ ...ok, stateDir: '/var/lib/a,b' }, /without commas, colons or spaces/],
    [{ ...ok, authorizedKey: `${key}\n${key}` }, /must be one OpenSSH public key line/],
    [{ ...ok, authorizedKey: 'hunter2' }, /must be one OpenSSH public key line/],
  ])('refuses %j', (options, message) => {
    expect(() => new LocalProvider(options)).toThrow(LocalProviderConfigError);
    expect(() => new LocalProvider(options)).toThrow(message);
  });

  it("refuses to create a machine with a non-numeric id or destroy another controller's", async () => {
    const provider = new LocalProvider(ok);
    await expect(provider.create('0/lxd/1')).rejects.toThrow(/machine id "0\/lxd\/1"/);
    await expect(provider.destroy('rune-def456-1')).rejects.toThrow(
      /instance id "rune-def456-1": is not a machine of controller abc123/,
    );
  });
});
