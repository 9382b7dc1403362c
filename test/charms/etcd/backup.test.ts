// The restore scripts run on this host (/bin/sh, and the host's etcdctl where installed): a
// missing, mismatched or corrupt snapshot is refused with one line saying why, and leaves nothing
// behind; the swap keeps or drops the old data. Writes only under a temporary folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseSnapshotStatus,
  refusalReason,
  restorePrepareScript,
  restoreSwapScript,
} from '../../../charms/etcd/workload/backup.js';

const hasEtcdctl = spawnSync('etcdctl', ['version'], { stdio: 'ignore' }).status === 0;

function sh(script: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function prepare(dir: string, archive: string, sha256?: string): string {
  return restorePrepareScript({
    target: {
      endpoints: ['https://127.0.0.1:2379'],
      cacert: '/nonexistent/ca.crt',
      cert: '/nonexistent/server.crt',
      key: '/nonexistent/server.key',
      bin: 'etcdctl',
    },
    archive,
    ...(sha256 === undefined ? {} : { sha256 }),
    name: 'etcd-0',
    dataDir: join(dir, 'etcd-0'),
    initialCluster: 'etcd-0=https://127.0.0.1:2380',
    token: 'f'.repeat(32),
    peerUrl: 'https://127.0.0.1:2380',
  });
}

/** Runs a prepare that must refuse; returns its reason, having checked nothing was left. */
function refused(dir: string, archive: string, sha256?: string): string | undefined {
  const r = sh(prepare(dir, archive, sha256));
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(readdirSync(dir).filter((f) => f.startsWith('etcd-0'))).toEqual([]);
  return refusalReason(r.stderr);
}

describe('restore prepare refuses, changing nothing', () => {
  it('a snapshot file that is not there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-restore-'));
    expect(refused(dir, join(dir, 'missing.tar.gz'))).toBe(
      `no snapshot file at ${join(dir, 'missing.tar.gz')}`,
    );
  });

  it('a sha256 other than the one asked for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-restore-'));
    const file = join(dir, 'snapshot.db');
    writeFileSync(file, 'x');
    expect(refused(dir, file, '0'.repeat(64))).toBe(
      // sha256("x")
      `its sha256 is 2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881, not the ${'0'.repeat(64)} asked for`,
    );
  });

  it('a gzip archive with no .db in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-restore-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'notes.txt'), 'hello');
    const archive = join(dir, 'snapshot.tar.gz');
    expect(sh(`tar -czf '${archive}' -C '${dir}/src' notes.txt`).code).toBe(0);
    expect(refused(dir, archive)).toBe('the archive holds no .db snapshot');
  });

  it.skipIf(!hasEtcdctl)('a file that is no etcd database (etcdctl snapshot status)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-restore-'));
    const file = join(dir, 'snapshot.tar.gz');
    writeFileSync(file, 'garbage, not a bolt database\n'.repeat(100));
    expect(refused(dir, file)).toBe('it is not an etcd snapshot (Error: invalid database)');
  });
});

describe('restore swap', () => {
  function layout(): { dir: string; data: string } {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-swap-'));
    const data = join(dir, 'etcd-0');
    mkdirSync(join(data, 'member'), { recursive: true });
    writeFileSync(join(data, 'member', 'old'), 'old');
    mkdirSync(join(`${data}.restored`, 'member'), { recursive: true });
    writeFileSync(join(`${data}.restored`, 'member', 'new'), 'new');
    return { dir, data };
  }

  it('moves the old data to the backup folder and says where', () => {
    const { dir, data } = layout();
    const r = sh(restoreSwapScript(data, join(dir, 'backups')));
    expect(r.code).toBe(0);
    const backup = /^backup=(.+)$/m.exec(r.stdout)?.[1] ?? '';
    expect(existsSync(join(backup, 'member', 'old'))).toBe(true);
    expect(existsSync(join(data, 'member', 'new'))).toBe(true);
    expect(existsSync(`${data}.restored`)).toBe(false);
  });

  it('without a backup folder the old data goes', () => {
    const { dir, data } = layout();
    expect(sh(restoreSwapScript(data)).code).toBe(0);
    expect(readdirSync(dir)).toEqual(['etcd-0']);
    expect(existsSync(join(data, 'member', 'new'))).toBe(true);
  });

  it('fails, touching nothing, when the restored data is gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'etcd-swap-'));
    mkdirSync(join(dir, 'etcd-0'));
    const r = sh(restoreSwapScript(join(dir, 'etcd-0')));
    expect(r.code).toBe(1);
    expect(readdirSync(dir)).toEqual(['etcd-0']);
  });
});

describe('snapshot status', () => {
  it('reads etcdctl 3.4.23’s JSON, the revision losslessly', () => {
    expect(
      parseSnapshotStatus(
        '{"hash":1815915719,"revision":9007199254740993,"totalKey":7,"totalSize":20480}',
      ),
    ).toEqual({ revision: 9007199254740993n, totalKey: 7, totalSize: 20480 });
    expect(() => parseSnapshotStatus('')).toThrow(/snapshot status/);
  });
});
