// Where each member of a highly available controller keeps its own files (member.ts), apart from
// what they share (keys, machines, resources). No etcd here: the CLI finds members by these.
import { join } from 'node:path';
import type { ControllerPaths } from './paths.js';
import type { HaInfo } from './registry.js';

/** The folder of member `n`: its socket, pid file, log, lock and replica. */
export function memberDir(paths: ControllerPaths, n: number): string {
  return join(paths.dir, 'members', String(n));
}

/** The controller's paths as member `n` uses them: shared keys, machines and resources; its own
 * socket, pid file, log, lock and store replica. */
export function memberPaths(paths: ControllerPaths, n: number): ControllerPaths {
  const dir = memberDir(paths, n);
  return {
    ...paths,
    socket: join(dir, 'api.sock'),
    pid: join(dir, 'controller.pid'),
    log: join(dir, 'controller.log'),
    lock: join(dir, 'controller.lock'),
    store: join(dir, 'store.db'),
  };
}

/** Every member's paths, in member order. */
export function allMemberPaths(paths: ControllerPaths, ha: HaInfo): ControllerPaths[] {
  return Array.from({ length: ha.members }, (_, n) => memberPaths(paths, n));
}
