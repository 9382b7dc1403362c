// Before any test: the Debian packages integration tests drive for real (sshd, tini, ip) are
// installed with apt-get when missing, so a clean CI machine needs nothing done by hand.
import { ensureHostPackages } from '../../agents/providers/local/host-packages.js';

export default async function setup(): Promise<void> {
  // Not root: the integration tests fail on their own with a message that says so.
  if (process.getuid?.() !== 0) return;
  await ensureHostPackages();
}
