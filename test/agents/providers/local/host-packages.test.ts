// ensureHostPackages with injected effects (no apt runs here): nothing happens when every host
// command exists; one update + install when one is missing; typed errors for non-root and apt failure.
import { describe, expect, it } from 'vitest';
import {
  CommandFailedError,
  HostPackagesError,
  LocalProviderNeedsRootError,
} from '../../../../agents/providers/local/errors.js';
import type { Run } from '../../../../agents/providers/local/exec.js';
import {
  HOST_COMMANDS,
  ensureHostPackages,
} from '../../../../agents/providers/local/host-packages.js';
import type { HostPackageDeps } from '../../../../agents/providers/local/host-packages.js';

const ALL = Object.keys(HOST_COMMANDS);
const ALL_BUT = (...names: string[]) => new Set(ALL.filter((c) => !names.includes(c)));

function fakeHost(present: Set<string>, opts: { root?: boolean; failOn?: string } = {}) {
  const calls: { file: string; args: readonly string[]; frontend: string | undefined }[] = [];
  const run: Run = (file, args, options) => {
    calls.push({ file, args, frontend: options?.env?.['DEBIAN_FRONTEND'] });
    if (opts.failOn !== undefined && args[0] === opts.failOn) {
      return Promise.reject(
        new CommandFailedError([file, ...args], 100, 'E: Unable to locate package tini'),
      );
    }
    if (args[0] === 'install') for (const c of ALL) present.add(c);
    return Promise.resolve({ stdout: '', stderr: '' });
  };
  const deps: HostPackageDeps = {
    run,
    which: (c) => Promise.resolve(present.has(c) ? `/usr/bin/${c}` : undefined),
    isRoot: () => opts.root ?? true,
  };
  return { deps, calls };
}

describe('ensureHostPackages', () => {
  it("installs the shipped charms' etcd packages on the host, for the machines to share", async () => {
    const { deps, calls } = fakeHost(new Set(['sshd', 'tini', 'ip']));
    await ensureHostPackages(deps);
    expect(calls.at(-1)?.args).toEqual(expect.arrayContaining(['etcd-server', 'etcd-client']));
  });

  it("installs the worker's containerd and runc on the host when they are missing", async () => {
    const { deps, calls } = fakeHost(ALL_BUT('containerd', 'runc'));
    await ensureHostPackages(deps);
    expect(calls.at(-1)?.args).toEqual(expect.arrayContaining(['containerd', 'runc']));
  });

  it('runs nothing when every host command is present', async () => {
    const { deps, calls } = fakeHost(new Set(ALL));
    await ensureHostPackages(deps);
    expect(calls).toEqual([]);
  });

  it('runs apt-get update then one non-interactive install when tini is missing', async () => {
    const { deps, calls } = fakeHost(ALL_BUT('tini'));
    await ensureHostPackages(deps);
    expect(calls).toEqual([
      { file: 'apt-get', args: ['update'], frontend: 'noninteractive' },
      {
        file: 'apt-get',
        args: [
          'install',
          '-y',
          '--no-install-recommends',
          'openssh-server',
          'tini',
          'iproute2',
          'util-linux',
          'etcd-server',
          'etcd-client',
          'containerd',
          'runc',
        ],
        frontend: 'noninteractive',
      },
    ]);
  });

  it('says the local provider needs root, pointing at add-machine ssh:, when not root', async () => {
    const { deps, calls } = fakeHost(new Set(['ip']), { root: false });
    const error = await ensureHostPackages(deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalProviderNeedsRootError);
    expect(String(error)).toMatch(/needs root on Linux.*rune add-machine ssh:\[user@\]host/);
    expect(calls).toEqual([]);
  });

  it('reports the failed apt command and its stderr', async () => {
    const { deps } = fakeHost(ALL_BUT('tini'), { failOn: 'install' });
    const error = await ensureHostPackages(deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostPackagesError);
    expect(String(error)).toContain('tini (tini)');
    expect(String(error)).toContain(
      'apt-get install -y --no-install-recommends openssh-server tini iproute2 util-linux etcd-server etcd-client containerd runc',
    );
    expect(String(error)).toContain('E: Unable to locate package tini');
  });
});
