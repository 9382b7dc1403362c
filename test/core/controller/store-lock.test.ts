// The store's lock (issue 15 item 7): one holder at a time, named by pid, free again once
// released. Across processes (a second `rune controller run`, SIGKILL freeing it) it is tested
// for real in test/integration/cli/controller-lock.test.ts.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acquireStoreLock,
  ControllerLockedError,
  holderFromProcLocks,
  probeStoreLock,
  type StoreLock,
} from '../../../core/controller/store-lock.js';

const held: StoreLock[] = [];
afterEach(() => held.splice(0).forEach((l) => l.release()));

const lockFile = () => join(mkdtempSync(join(tmpdir(), 'rune-lock-')), 'controller.lock');
const linux = process.platform === 'linux';

describe('store lock', () => {
  it('refuses a second holder, naming the pid that holds it', () => {
    const file = lockFile();
    expect(probeStoreLock(file)).toEqual({ held: false });
    held.push(acquireStoreLock('lab', file));
    expect(probeStoreLock(file)).toEqual({ held: true, pid: linux ? process.pid : undefined });
    let refused: unknown;
    try {
      held.push(acquireStoreLock('lab', file, 50));
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(ControllerLockedError);
    expect((refused as Error).message).toBe(
      `controller "lab" is already running on this store (pid ${process.pid} holds ${file}); ` +
        'this one changed nothing and stops: use the running one, or stop it first ' +
        `(rune destroy-controller lab, or kill ${process.pid})`,
    );
  });

  it('is free again once released, and leaves no journal beside it', () => {
    const file = lockFile();
    acquireStoreLock('lab', file).release();
    expect(probeStoreLock(file)).toEqual({ held: false });
    held.push(acquireStoreLock('lab', file));
    expect(existsSync(`${file}-journal`)).toBe(false);
  });
});

describe('holderFromProcLocks', () => {
  const text = [
    '1: POSIX  ADVISORY  WRITE 4711 fe:00:2277863 1073741824 1073742335',
    '1: -> POSIX  ADVISORY  READ 5000 fe:00:2277863 1073741826 1073742335',
    '2: FLOCK  ADVISORY  WRITE 900 fe:00:2277863 0 EOF',
    '3: POSIX  ADVISORY  READ 901 00:1a:555 1073741826 1073742335',
    '4: POSIX  ADVISORY  WRITE 902 00:1a:555 1073741824 1073742335',
  ].join('\n');

  it('names the process with a POSIX write lock on the inode, not a waiter or a flock', () => {
    expect(holderFromProcLocks(text, 2277863)).toBe(4711);
    expect(holderFromProcLocks(text, 555)).toBe(902);
    expect(holderFromProcLocks(text, 1)).toBeUndefined();
    expect(holderFromProcLocks('', 2277863)).toBeUndefined();
  });
});
