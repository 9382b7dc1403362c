// `rune rotate-store-key` behind the CLI (issue 15 item 6, docs/store-key.md): a store's key can
// only change while nothing else holds the store open, so a running controller is stopped (its
// hooks in flight finish first), the store re-sealed with a new key, and the controller started
// again. One rotation is one store transaction; a crash at any point leaves a store that opens.
import { SqliteStore } from '../store/sqlite-store.js';
import { ApiClient } from './api-client.js';
import { ControllerNotAnsweringError } from './errors.js';
import { controllerPaths } from './paths.js';
import { controllerPid, startController } from './process.js';
import { readController } from './registry.js';
import { LocalOnlyError } from './access-errors.js';
import { acquireStoreLock } from './store-lock.js';
import { waitFor } from './wait-for.js';

export interface StoreKeyRotation {
  from: string;
  to: string;
  /** How many sealed values now carry the new key. */
  values: number;
  /** Whether the controller was running, and so was stopped and started again. */
  restarted: boolean;
}

export async function rotateStoreKey(
  home: string,
  name: string,
  progress: (line: string) => void,
  timeoutMs = 300_000,
): Promise<StoreKeyRotation> {
  // A clear error for an unknown name, and for one whose store is on another host.
  if (readController(home, name).remote) throw new LocalOnlyError(name, 'rotate-store-key');
  const paths = controllerPaths(home, name);
  const client = new ApiClient(name, paths.socket);
  const running = await client.ping(1000).then(
    () => true,
    () => false,
  );
  const pid = controllerPid(home, name);
  if (!running && pid !== undefined) throw new ControllerNotAnsweringError(name, pid);
  if (running) {
    progress(`Stopping controller "${name}" (hooks in flight finish first)...`);
    await client.shutdown(false);
    await waitFor(`controller "${name}" to stop`, () => controllerPid(home, name) === undefined, {
      timeoutMs,
    });
  }
  try {
    // Held as a controller holds it: a controller auto-started meanwhile by another CLI refuses
    // to start instead of sealing values with the old key.
    const lock = acquireStoreLock(name, paths.lock);
    const store = new SqliteStore(paths.store, undefined, { keyFile: paths.storeKey });
    try {
      const rotated = store.rotateKey();
      // Said before the restart, which may fail on its own: the rotation has happened.
      progress(
        `Store key rotated: ${rotated.from} -> ${rotated.to}, ${rotated.values} values re-encrypted.`,
      );
      return { ...rotated, restarted: running };
    } finally {
      store.close();
      lock.release();
    }
  } finally {
    // After a failed rotation too: the store is whole under its old key, and serves again.
    if (running) {
      progress(`Starting controller "${name}" again...`);
      await startController(home, name);
    }
  }
}
