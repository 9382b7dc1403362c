// Before any test: the Debian packages integration tests drive for real are installed with
// apt-get when missing, so a clean CI machine needs nothing done by hand. The local provider's
// own (sshd, tini, ip, and etcd for the charms) come through its ensureHostPackages; sudo,
// kubectl, curl and chromium are only the tests'. After all tests: every controller left
// in the tests' RUNE_HOME (vitest.config.ts) is destroyed with its machines.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { ensureHostPackages, which } from '../../agents/providers/local/host-packages.js';
import { main } from '../../core/cli/main.js';
import { listControllers } from '../../core/controller/registry.js';

const quiet = {
  out: () => undefined,
  err: () => undefined,
  outRaw: () => undefined,
  errRaw: () => undefined,
};

export default async function setup(): Promise<() => Promise<void>> {
  const teardown = async () => {
    const home = process.env.RUNE_HOME;
    if (!home) return;
    for (const c of listControllers(home))
      await main(['destroy-controller', c.name, '--yes'], quiet);
    rmSync(home, { recursive: true, force: true });
  };
  // Not root: the integration tests fail on their own with a message that says so.
  if (process.getuid?.() !== 0) return teardown;
  await ensureHostPackages();
  // sudo: a manual machine whose login user reaches root with sudo -n; kubectl (Debian's
  // kubernetes-client): parsing the kubeconfigs the Kubernetes charms render.
  const missing = [
    ...((await which('sudo')) === undefined ? ['sudo'] : []),
    ...((await which('kubectl')) === undefined ? ['kubernetes-client'] : []),
    // curl: the release-archive install command the Kubernetes charms run, tested for real.
    ...((await which('curl')) === undefined ? ['curl'] : []),
    // chromium: the dashboard's browser test (playwright-core drives Debian's own build).
    ...((await which('chromium')) === undefined ? ['chromium'] : []),
  ];
  if (missing.length > 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update'], { env, stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
      env,
      stdio: 'ignore',
    });
  }
  return teardown;
}
