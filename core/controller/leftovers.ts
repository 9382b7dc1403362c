// What a controller leaves on this host beyond its folder: local machines' namespaces, veths,
// bridge, mounts and processes. Swept at start-up (a dead predecessor's) and by destroy-controller.
import type { ControllerPaths } from './paths.js';
import type { ControllerInfo } from './registry.js';
import { localProvider } from './wiring.js';

export const isRoot = () => process.platform === 'linux' && process.getuid?.() === 0;

/** Removes local machines of this controller that the store does not know; their names. */
export async function sweepLocal(
  info: ControllerInfo,
  paths: ControllerPaths,
  live: readonly string[],
): Promise<string[]> {
  // Without root there can be no local machines to sweep (none could have been made).
  if (info.provider !== 'local' || !isRoot()) return [];
  return localProvider(info, paths).sweep(live);
}

/** Everything of a controller being destroyed, live or not. */
export async function destroyLeftovers(
  info: ControllerInfo,
  paths: ControllerPaths,
): Promise<void> {
  if (info.provider !== 'local' || !isRoot()) return;
  await localProvider(info, paths).destroyAll();
}
