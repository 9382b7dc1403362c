// Where a controller keeps its files under $RUNE_HOME (default ~/.local/share/rune, as XDG
// data): one folder per controller, holding its store, API socket, log, keys and machines.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function runeHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RUNE_HOME) return env.RUNE_HOME;
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'rune');
}

export interface ControllerPaths {
  dir: string;
  /** controller.json: name, id, provider. */
  config: string;
  store: string;
  /** The key the store's secret values are sealed with (0600; docs/store-key.md). */
  storeKey: string;
  /** The API's unix socket, mode 0600 (DESIGN §12). */
  socket: string;
  log: string;
  pid: string;
  /** Held by the controller process for its whole life: one controller per store (store-lock.ts). */
  lock: string;
  /** The controller's own SSH key pair (private key 0600). */
  privateKey: string;
  publicKey: string;
  /** Keys given to add-machine --private-key, copied here 0600 so restarts can reconnect. */
  keys: string;
  /** Attached resource files, by application (rune attach-resource). */
  resources: string;
  /** The local provider's per-machine state (overlay upper dirs, host keys). */
  machines: string;
}

export function controllersDir(home: string): string {
  return join(home, 'controllers');
}

export function controllerPaths(home: string, name: string): ControllerPaths {
  const dir = join(controllersDir(home), name);
  return {
    dir,
    config: join(dir, 'controller.json'),
    store: join(dir, 'store.db'),
    storeKey: join(dir, 'store.key'),
    socket: join(dir, 'api.sock'),
    log: join(dir, 'controller.log'),
    pid: join(dir, 'controller.pid'),
    lock: join(dir, 'controller.lock'),
    privateKey: join(dir, 'ssh', 'id_ed25519'),
    publicKey: join(dir, 'ssh', 'id_ed25519.pub'),
    keys: join(dir, 'ssh', 'machines'),
    machines: join(dir, 'machines'),
    resources: join(dir, 'resources'),
  };
}

/** The controller commands use when none is named (`rune switch` territory later). */
export function currentControllerFile(home: string): string {
  return join(home, 'current-controller');
}
