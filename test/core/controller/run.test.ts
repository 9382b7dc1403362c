// The controller process's hold on its store (issue 15 item 7), in-process on a manual
// controller (no machines): a second one on the same store refuses and touches nothing, and a
// stopping one removes only the socket and pid file that are its own.
import { mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../../core/controller/api-client.js';
import { controllerPaths } from '../../../core/controller/paths.js';
import { createController } from '../../../core/controller/controller-creation.js';
import { runController } from '../../../core/controller/run.js';
import { ControllerLockedError, probeStoreLock } from '../../../core/controller/store-lock.js';

function setup() {
  const home = mkdtempSync(join(tmpdir(), 'rune-run-'));
  createController(home, 'ops', 'manual');
  return { home, paths: controllerPaths(home, 'ops') };
}

describe('runController', () => {
  it('refuses to start on a store another controller holds, changing nothing', async () => {
    const { home, paths } = setup();
    const first = await runController(home, 'ops');
    try {
      const before = { socket: statSync(paths.socket), pid: readFileSync(paths.pid, 'utf8') };
      const second = await runController(home, 'ops').catch((e: unknown) => e);
      expect(second).toBeInstanceOf(ControllerLockedError);
      expect((second as ControllerLockedError).pid).toBe(process.pid);
      expect(statSync(paths.socket).ino).toBe(before.socket.ino);
      expect(readFileSync(paths.pid, 'utf8')).toBe(before.pid);
      expect((await new ApiClient('ops', paths.socket).ping()).pid).toBe(process.pid);
    } finally {
      await first.stop();
      await first.done;
    }
    expect(existsSync(paths.socket)).toBe(false);
    expect(existsSync(paths.pid)).toBe(false);
    expect(probeStoreLock(paths.lock)).toEqual({ held: false });
  });

  it('leaves a socket and a pid file that are not its own when it stops', async () => {
    const { home, paths } = setup();
    const running = await runController(home, 'ops');
    // As if another process had replaced both meanwhile (the second controller did).
    renameSync(paths.socket, `${paths.socket}.old`);
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(paths.socket, resolve));
    writeFileSync(paths.pid, '999999\n');
    try {
      await running.stop();
      await running.done;
      expect(existsSync(paths.socket)).toBe(true);
      expect(readFileSync(paths.pid, 'utf8')).toBe('999999\n');
      expect(probeStoreLock(paths.lock)).toEqual({ held: false });
    } finally {
      other.close();
    }
  });
});
