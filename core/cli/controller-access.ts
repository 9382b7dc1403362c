// How a verb reaches its controller: the named or current one, restarted if its process died,
// or — on the embedded default, when there is none — a local one bootstrapped on the spot.
import { ApiClient } from '../controller/api-client.js';
import { controllerPaths, runeHome } from '../controller/paths.js';
import { startController } from '../controller/process.js';
import { createController, currentController, readController } from '../controller/registry.js';
import type { Io } from './io.js';
import { NoControllerError } from './errors.js';

export async function controllerClient(io: Io, name?: string): Promise<ApiClient> {
  const home = runeHome();
  let controller = name ?? currentController(home);
  if (controller === undefined) {
    createController(home, 'local', 'local');
    controller = 'local';
    io.err(
      'No controller found: bootstrapped a local controller "local" (rune destroy-controller local removes it).',
    );
    await start(home, controller);
  } else {
    readController(home, controller); // a clear error for an unknown name
  }
  const client = new ApiClient(controller, controllerPaths(home, controller).socket);
  try {
    await client.ping();
  } catch {
    // Killed or rebooted away: start it again, as a supervisor would; state is in its store.
    io.err(`Controller "${controller}" was not running: started it again.`);
    await start(home, controller);
  }
  return client;
}

async function start(home: string, controller: string): Promise<void> {
  try {
    await startController(home, controller);
  } catch (e) {
    throw new NoControllerError(controller, e instanceof Error ? e.message : String(e));
  }
}
