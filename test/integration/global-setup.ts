// Before any test: the Debian packages integration tests drive for real are installed with
// apt-get when missing, so a clean CI machine needs nothing done by hand. The local provider's
// own (sshd, tini, ip) come through its ensureHostPackages; sudo is only the tests' (a manual
// machine whose login user reaches root with sudo -n).
import { execFileSync } from 'node:child_process';
import { ensureHostPackages, which } from '../../agents/providers/local/host-packages.js';

export default async function setup(): Promise<void> {
  // Not root: the integration tests fail on their own with a message that says so.
  if (process.getuid?.() !== 0) return;
  await ensureHostPackages();
  if ((await which('sudo')) === undefined) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update'], { env, stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'sudo'], {
      env,
      stdio: 'ignore',
    });
  }
}
