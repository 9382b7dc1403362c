// rotate-store-key on a controller that is not running (issue 15 item 6): the store is re-sealed
// in place and nothing is started; a controller process that holds the store but does not answer
// is not worked around, since its old key would keep sealing values.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControllerNotAnsweringError } from '../../../core/controller/errors.js';
import { controllerPaths } from '../../../core/controller/paths.js';
import { createController } from '../../../core/controller/controller-creation.js';
import { rotateStoreKey } from '../../../core/controller/store-key-rotation.js';
import { ControllerLockedError, acquireStoreLock } from '../../../core/controller/store-lock.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { storeKeyId } from '../../../core/store/store-key.js';

const homes: string[] = [];
afterEach(() => homes.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function controller(): { home: string; paths: ReturnType<typeof controllerPaths> } {
  const home = mkdtempSync(join(tmpdir(), 'rune-rotate-'));
  homes.push(home);
  createController(home, 'lab', 'manual');
  const paths = controllerPaths(home, 'lab');
  const store = new SqliteStore(paths.store, undefined, { keyFile: paths.storeKey });
  store.setModelConfig({ 'update-status-interval': '5m' });
  store.addApplication({
    name: 'easyrsa',
    charm: 'easyrsa',
    charmDir: '/c/easyrsa',
    subordinate: false,
    config: { 'ca-key': 'the CA key' },
    constraints: '',
  });
  store.writeLeaderSettings('easyrsa', { ca_key: 'the CA key' });
  store.close();
  return { home, paths };
}

describe('rotateStoreKey', () => {
  it("re-seals a stopped controller's store and says so, starting nothing", async () => {
    const { home, paths } = controller();
    const before = storeKeyId(readFileSync(paths.storeKey));
    const lines: string[] = [];
    const rotated = await rotateStoreKey(home, 'lab', (line) => lines.push(line));
    const after = storeKeyId(readFileSync(paths.storeKey));
    expect(rotated).toEqual({ from: before, to: after, values: 2, restarted: false });
    expect(lines).toEqual([`Store key rotated: ${before} -> ${after}, 2 values re-encrypted.`]);
    const store = new SqliteStore(paths.store, undefined, { keyFile: paths.storeKey });
    expect(store.leaderSettings('easyrsa')).toEqual({ ca_key: 'the CA key' });
    store.close();
  });

  it('holds the store lock while it rotates: a controller started meanwhile would refuse', async () => {
    const { home, paths } = controller();
    // Someone else holds the store (a controller started by another CLI): no rotation.
    const other = acquireStoreLock('lab', paths.lock);
    try {
      await expect(rotateStoreKey(home, 'lab', () => undefined)).rejects.toBeInstanceOf(
        ControllerLockedError,
      );
    } finally {
      other.release();
    }
    const rotated = await rotateStoreKey(home, 'lab', () => undefined);
    expect(rotated.values).toBeGreaterThan(0);
    // Released after: a controller can take the store again.
    acquireStoreLock('lab', paths.lock).release();
  });

  it('refuses while a controller process is alive but does not answer', async () => {
    const { home, paths } = controller();
    const before = readFileSync(paths.storeKey);
    // This test's own process stands in for a hung controller: alive, no API socket.
    writeFileSync(paths.pid, `${process.pid}\n`);
    await expect(rotateStoreKey(home, 'lab', () => undefined)).rejects.toThrow(
      ControllerNotAnsweringError,
    );
    expect(readFileSync(paths.storeKey)).toEqual(before);
  });
});
