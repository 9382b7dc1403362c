// The shell the charm hands to machines: every script parses (`sh -n`), the probe runs on this
// host and reads back, and a release tarball unpacks into place. Runs /bin/sh locally; writes
// only under a temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unitProbeCommand } from '../../../charms/etcd/charm.js';
import {
  restorePrepareScript,
  restoreSwapScript,
  snapshotScript,
} from '../../../charms/etcd/workload/backup.js';
import {
  STOP_DISTRO_ETCD,
  archiveFetchCommand,
  archiveProbeCommand,
  extractCommand,
  parseVersion,
  snapInstallCommand,
} from '../../../charms/etcd/workload/install-steps.js';
import { parseProbe } from '../../../charms/etcd/workload/probe.js';
import { retrying } from '../../../charms/lib/shell.js';
import {
  ALREADY_REMOVED,
  memberAddCommand,
  memberRemoveCommand,
  observeCommand,
  untilListeningCommand,
  waitHealthyCommand,
} from '../../../charms/etcd/member-commands.js';
import { clientUrl, envFor } from './fixtures.js';

const target = {
  endpoints: ['https://10.0.0.1:2379'],
  cacert: '/etc/etcd/tls/ca.crt',
  cert: '/etc/etcd/tls/client.crt',
  key: '/etc/etcd/tls/client.key',
};
const sh = (script: string, args: string[] = ['-c']) =>
  execFileSync('/bin/sh', [...args, script], { encoding: 'utf8', stdio: 'pipe' });

describe('etcd charm scripts', () => {
  it.each([
    ['probe', unitProbeCommand('etcd/0')],
    ['stop distro etcd', STOP_DISTRO_ETCD],
    ['snap install (max)', snapInstallCommand('3.4/stable', 'max')],
    ['snap install (timer)', snapInstallCommand('3.4/stable', "fri,23:00 'x'")],
    ['archive probe', archiveProbeCommand('amd64')],
    ['archive fetch', archiveFetchCommand('arm64')],
    ['extract', extractCommand("/tmp/it's.tar.gz", '/opt/etcd/bin')],
    ['snapshot', snapshotScript(target, '/var/backups/my etcd')],
    [
      'restore prepare',
      restorePrepareScript({
        target,
        archive: '/tmp/snap.tar.gz',
        sha256: 'ab'.repeat(32),
        name: 'etcd-0',
        dataDir: '/var/lib/etcd/etcd-0',
        initialCluster: 'etcd-0=https://10.0.0.1:2380',
        token: 'abc',
        peerUrl: 'https://10.0.0.1:2380',
      }),
    ],
    ['restore swap, keeping a backup', restoreSwapScript('/var/lib/etcd/etcd-0', '/var/backups')],
    ['restore swap', restoreSwapScript('/var/lib/etcd/etcd-0')],
    ['retrying', retrying('true', 3, 1)],
    ['observe own member', observeCommand(envFor('etcd/0'), [clientUrl('etcd/0')])],
    [
      'observe via peers',
      observeCommand(envFor('etcd/1'), [clientUrl('etcd/0'), clientUrl('etcd/2')]),
    ],
    ['until listening', untilListeningCommand(envFor('etcd/0'), 10)],
    ['member add', memberAddCommand(envFor('etcd/1'), [clientUrl('etcd/0')])],
    ['wait healthy', waitHealthyCommand(envFor('etcd/1'))],
  ])('%s parses as POSIX sh', (_name, script) => {
    expect(() => sh(script, ['-n', '-c'])).not.toThrow();
  });

  it('the probe runs here and reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-probe-'));
    mkdirSync(join(dir, 'etcd-0', 'member'), { recursive: true });
    const probe = parseProbe(
      0,
      sh(unitProbeCommand('etcd/0').replace(/\/var\/lib\/etcd/g, dir)),
      '',
    );
    expect(probe.memberData).toBe(true);
    expect(['installed', 'available', 'none']).toContain(probe.package);
    expect(probe.hostname).not.toBe('');
  });

  it('a probe that did not run is an error, not "nothing installed"', () => {
    expect(() => parseProbe(127, '', 'sh: 1: dpkg-query: not found')).toThrow(
      /probing the machine/,
    );
  });

  it('retrying gives up after the attempts with the last exit code', () => {
    expect(() => sh(retrying('exit 3', 2, 0))).toThrow(/status 3|code 3|exit/i);
    expect(sh(retrying('echo ok', 2, 0))).toBe('ok\n');
  });

  it('unpacks etcd and etcdctl from a release tarball, wherever they are in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-extract-'));
    mkdirSync(join(dir, 'src', 'etcd-v3.4.23-linux-amd64'), { recursive: true });
    for (const bin of ['etcd', 'etcdctl', 'README.md']) {
      writeFileSync(join(dir, 'src', 'etcd-v3.4.23-linux-amd64', bin), `#!/bin/sh\necho ${bin}\n`);
    }
    const tarball = join(dir, 'etcd.tar.gz');
    execFileSync('tar', ['-czf', tarball, '-C', join(dir, 'src'), 'etcd-v3.4.23-linux-amd64']);
    sh(extractCommand(tarball, join(dir, 'bin')));
    expect(statSync(join(dir, 'bin', 'etcd')).mode & 0o777).toBe(0o755);
    expect(sh(join(dir, 'bin', 'etcdctl'), [])).toBe('etcdctl\n');
    expect(() => sh(extractCommand(join(dir, 'missing.tar.gz'), join(dir, 'bin')))).toThrow();
  });

  it('reads the version etcd prints', () => {
    expect(parseVersion('etcd Version: 3.4.23\nGit SHA: Not provided\n')).toBe('3.4.23');
    expect(parseVersion('sh: etcd: not found')).toBeUndefined();
  });
});

describe('member removal on the machine', () => {
  /** memberRemoveCommand run with a stand-in etcdctl that prints `stderr` and exits `code`. */
  function removeWith(code: number, stderr: string): { code: number; out: string; err: string } {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-remove-'));
    const bin = join(dir, 'etcdctl');
    writeFileSync(bin, `#!/bin/sh\necho '${stderr}' >&2\nexit ${code}\n`, { mode: 0o755 });
    const base = envFor('etcd/0');
    const env = { ...base, layout: { ...base.layout, etcdctl: bin } };
    const command = memberRemoveCommand(env, [clientUrl('etcd/1')], 0x1003n, 2, 0);
    try {
      return { code: 0, out: sh(command), err: '' };
    } catch (error) {
      const e = error as { status: number; stdout: string; stderr: string };
      return { code: e.status, out: e.stdout, err: e.stderr };
    }
  }

  it('a member another unit removed meanwhile counts as removed, at once', () => {
    const r = removeWith(1, 'Error: etcdserver: member not found');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(ALREADY_REMOVED);
  });

  it('any other refusal is retried, then fails with what etcdctl said', () => {
    const r = removeWith(1, 'Error: etcdserver: unhealthy cluster');
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toEqual([
      'Error: etcdserver: unhealthy cluster',
      'Error: etcdserver: unhealthy cluster',
    ]);
  });
});
