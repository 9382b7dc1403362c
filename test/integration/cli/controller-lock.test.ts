// One controller per store, with real processes (issue 15 item 7), as root on a local
// controller: a SIGSTOPped controller makes the next verb exit 3 naming it, and no second one
// starts; SIGCONT and it serves again; a second `rune controller run` by hand refuses and
// touches nothing; destroy-controller ends a stopped controller, leaving no orphan process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isControllerCommand } from '../../../core/controller/liveness.js';
import { controllerPaths } from '../../../core/controller/paths.js';
import { controllerPid } from '../../../core/controller/process.js';
import { runCli } from '../../core/cli/run-cli.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/cli/controller-lock.test.ts needs root (a local controller)');
}

let home: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
  expect((await runCli('bootstrap', 'local', 'lk')).code).toBe(0);
});

afterAll(async () => {
  const pid = controllerPid(home, 'lk');
  if (pid !== undefined) process.kill(pid, 'SIGCONT');
  await runCli('destroy-controller', 'lk', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

/** Every process on the host running `controller run lk`. */
function controllers(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return isControllerCommand(readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0'), 'lk');
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

describe('one controller per store', () => {
  it('a stopped controller makes a verb exit 3 naming it, and starts no second one', async () => {
    const pid = controllerPid(home, 'lk') as number;
    expect(controllers()).toEqual([pid]);
    process.kill(pid, 'SIGSTOP');
    try {
      const r = await runCli('status');
      expect(r.code).toBe(3);
      expect(r.err).toEqual([
        `rune: controller "lk" (pid ${pid}) is stopped (SIGSTOP) and cannot answer; resume it ` +
          `with kill -CONT ${pid}, or end it with kill -9 ${pid} and run the command again to ` +
          'start a new one',
      ]);
      expect(controllers()).toEqual([pid]);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const again = await runCli('status');
    expect(again.code).toBe(0);
    expect(again.err).toEqual([]);
    expect(controllers()).toEqual([pid]);
  });

  it('refuses a second controller started by hand on the same store, touching nothing', () => {
    const paths = controllerPaths(home, 'lk');
    const pid = controllerPid(home, 'lk') as number;
    const before = { socket: statSync(paths.socket).ino, pid: readFileSync(paths.pid, 'utf8') };
    const second = spawnSync(
      process.execPath,
      [resolve('dist/core/cli/rune.js'), 'controller', 'run', 'lk'],
      { env: { ...process.env, RUNE_HOME: home }, encoding: 'utf8', timeout: 30_000 },
    );
    expect(second.status).toBe(1);
    expect(second.stderr).toBe(
      `rune: controller "lk" is already running on this store (pid ${pid} holds ` +
        `${paths.lock}); this one changed nothing and stops: use the running one, or stop it ` +
        `first (rune destroy-controller lk, or kill ${pid})\n`,
    );
    expect(statSync(paths.socket).ino).toBe(before.socket);
    expect(readFileSync(paths.pid, 'utf8')).toBe(before.pid);
    expect(controllers()).toEqual([pid]);
  });

  it('destroy-controller ends a stopped controller: no orphan', async () => {
    const pid = controllerPid(home, 'lk') as number;
    process.kill(pid, 'SIGSTOP');
    const r = await runCli('destroy-controller', 'lk', '--yes');
    expect(r.out).toEqual(['Destroyed controller "lk".']);
    expect(r.code).toBe(0);
    expect(controllers()).toEqual([]);
  });
});
