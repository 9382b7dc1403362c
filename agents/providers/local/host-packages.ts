// The host packages the local provider needs (sshd, tini, ip), and those the shipped charms
// install (etcd, containerd and runc): checked on every call, installed with apt-get only when
// one is missing. Cheap when all are present; one apt run per process.
import { access, constants } from 'node:fs/promises';
import * as path from 'node:path';
import { CommandFailedError, HostPackagesError, LocalProviderNeedsRootError } from './errors.js';
import { run as defaultRun } from './exec.js';
import type { Run } from './exec.js';

/**
 * Command → the Debian package that provides it. Local machines have no route to a package
 * mirror, but their roots are overlays over the host's: a package on the host is installed in
 * every machine made after it. So the packages the shipped charms ask for (etcd's, and the
 * kubernetes-worker's container runtime) come from the host, before any machine exists; a
 * charm's installPackages then finds them present.
 */
export const HOST_COMMANDS = {
  sshd: 'openssh-server',
  tini: 'tini',
  ip: 'iproute2',
  // Essential on Debian; listed so a host without it says so instead of making open machines.
  setpriv: 'util-linux',
  etcd: 'etcd-server',
  etcdctl: 'etcd-client',
  containerd: 'containerd',
  runc: 'runc',
} as const;
export type HostCommand = keyof typeof HOST_COMMANDS;

export interface HostPackageDeps {
  run: Run;
  /** Absolute path of `command` (PATH plus the sbin dirs), or undefined. */
  which: (command: string) => Promise<string | undefined>;
  isRoot: () => boolean;
}

// sshd lives in /usr/sbin, which a non-login root shell's PATH may lack.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export async function which(command: string): Promise<string | undefined> {
  const dirs = [...(process.env['PATH'] ?? '').split(':').filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

const defaultDeps: HostPackageDeps = {
  run: defaultRun,
  which,
  isRoot: () => process.platform === 'linux' && process.getuid?.() === 0,
};

/** The commands of HOST_COMMANDS that cannot be found. */
export async function missingHostCommands(
  deps: Pick<HostPackageDeps, 'which'> = defaultDeps,
): Promise<HostCommand[]> {
  const names = Object.keys(HOST_COMMANDS) as HostCommand[];
  const found = await Promise.all(names.map((name) => deps.which(name)));
  return names.filter((_, i) => found[i] === undefined);
}

let installing: Promise<void> | undefined;

/**
 * Makes sure sshd, tini and ip exist, running `apt-get update` then `apt-get install -y
 * --no-install-recommends openssh-server tini iproute2` if any is missing. Concurrent callers
 * share one apt run. Throws LocalProviderNeedsRootError when not root, HostPackagesError when apt fails.
 */
export async function ensureHostPackages(deps: HostPackageDeps = defaultDeps): Promise<void> {
  const missing = await missingHostCommands(deps);
  if (missing.length === 0) return;
  if (!deps.isRoot()) {
    throw new LocalProviderNeedsRootError(process.platform, process.getuid?.());
  }
  // Only the default deps share a module-wide apt run; injected ones (tests) each get their own.
  if (deps !== defaultDeps) return install(deps, missing);
  installing ??= install(deps, missing).finally(() => {
    installing = undefined;
  });
  return installing;
}

async function install(deps: HostPackageDeps, missing: readonly HostCommand[]): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const packages = Object.values(HOST_COMMANDS);
  const steps: [string, string[]][] = [
    ['apt-get', ['update']],
    ['apt-get', ['install', '-y', '--no-install-recommends', ...packages]],
  ];
  for (const [file, args] of steps) {
    try {
      await deps.run(file, args, { env });
    } catch (error) {
      const failed = error instanceof CommandFailedError ? error : undefined;
      throw new HostPackagesError(
        missing.map((cmd) => `${cmd} (${HOST_COMMANDS[cmd]})`),
        [file, ...args],
        failed?.exitCode,
        failed?.stderr ?? String(error),
      );
    }
  }
  const still = await missingHostCommands(deps);
  if (still.length > 0) {
    throw new HostPackagesError(
      still,
      ['apt-get', 'install', ...packages],
      0,
      `still missing after install: ${still.join(', ')}`,
    );
  }
}
