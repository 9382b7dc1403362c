// The unit agent's resolver (DESIGN §6, after juju's uniter): a pure nextOp(local, remote) that
// names the one thing to do next, and the pure LocalState updates the executor calls around it.
// No I/O, no clock: the executor (the lead's xstate lifecycle) runs hooks and persists state.
import type { Hook, LifecycleHookKind } from '../../core/charm/hooks.js';
import { isRelationHook } from '../../core/charm/hooks.js';
import {
  applyRelationHook,
  nextCreated,
  nextRelationHook,
  pendingChanged,
} from './relation-resolver.js';
import type { LocalState, RemoteState } from './state.js';
import { sameHook } from './state.js';

/**
 * What the executor does next:
 * - `run-hook`: record it in flight (startHook), run it, then applyHook or failHook;
 * - `skip-hook`: `rune resolve --no-retry` on the failed hook: applyHook it without running it,
 *   then clear the request (the resolver cannot mark it done itself: it is pure);
 * - `wait-retry`: in error, nothing runs until a resolve or backoff retry arrives;
 * - `idle`: nothing due until the model changes or time passes;
 * - `done`: `remove` ran; the unit agent may exit.
 */
export type Op =
  | { kind: 'run-hook'; hook: Hook }
  | { kind: 'skip-hook'; hook: Hook }
  | { kind: 'idle' }
  | { kind: 'wait-retry' }
  | { kind: 'done' };

const IDLE: Op = { kind: 'idle' };

function run(hook: Hook): Op {
  return { kind: 'run-hook', hook };
}

function lifecycle(kind: LifecycleHookKind): Op {
  return run({ kind });
}

/**
 * The next operation. When several things are due, the first of:
 *  1. `remove` ran → done;
 *  2. the in-flight hook (the controller died mid-hook: re-run, at least once);
 *  3. the failed hook: retry → re-run; no-retry → skip; otherwise wait-retry;
 *  4. owed hooks that must come next: -changed after -joined (lowest relation id), then
 *     config-changed after upgrade-charm;
 *  5. dying: every relation torn down (by id: -departed by unit, then -broken), then `stop` if
 *     started, then `remove` (also for a unit that never installed: nothing else runs);
 *  6. install;
 *  7. new unit: relation-created for alive relations (by id), leader-elected or
 *     leader-settings-changed, config-changed, start (a relation that appears after the leader
 *     hook is entered after start);
 *  8. upgrade-charm (charm hash changed);
 *  9. config-changed (config hash changed);
 * 10. leader-elected (became leader), leader-settings-changed (lost leadership, or a follower and
 *     the leader settings changed);
 * 11. relations by id (see nextRelationHook);
 * 12. update-status when the interval has passed since the last one (or since start), or when a
 *     hook asked for it (ctx.requeue()) or a health check changed verdict (health-checks.ts);
 * 13. idle.
 */
export function nextOp(local: LocalState, remote: RemoteState): Op {
  if (local.removed) return { kind: 'done' };
  if (local.inFlight) return run(local.inFlight);
  if (local.failed) {
    if (remote.resolved === 'retry') return run(local.failed);
    if (remote.resolved === 'no-retry') return { kind: 'skip-hook', hook: local.failed };
    return { kind: 'wait-retry' };
  }

  const owed = pendingChanged(local);
  if (owed) return run(owed);
  // DESIGN §6: upgrade-charm → config-changed; upgrade-charm clears configHash.
  if (local.started && !local.stopped && local.configHash === undefined) {
    return lifecycle('config-changed');
  }

  // Dying: like juju's uniter, only teardown runs; relations first, then stop, remove (DESIGN §6).
  if (remote.life !== 'alive') {
    if (local.installed) {
      const teardown = nextRelationHook(local, remote, true);
      if (teardown) return run(teardown);
      if (local.started && !local.stopped) return lifecycle('stop');
    }
    return lifecycle('remove');
  }

  if (!local.installed) return lifecycle('install');
  if (!local.started) {
    if (local.leaderKnown === undefined) {
      // Only relations present before the leader hook are entered now; one that arrives later
      // waits for start, so the DESIGN §6 new-unit order holds.
      const created = nextCreated(local, remote);
      if (created) return run(created);
      return lifecycle(remote.isLeader ? 'leader-elected' : 'leader-settings-changed');
    }
    if (local.configHash === undefined) return lifecycle('config-changed');
    return lifecycle('start');
  }

  if (local.charmHash !== remote.charmHash) return lifecycle('upgrade-charm');
  if (local.configHash !== remote.configHash) return lifecycle('config-changed');
  if (remote.isLeader) {
    if (local.leaderKnown !== true) return lifecycle('leader-elected');
  } else if (
    local.leaderKnown !== false ||
    local.leaderSettingsVersion !== remote.leaderSettingsVersion
  ) {
    return lifecycle('leader-settings-changed');
  }

  const relation = nextRelationHook(local, remote, false);
  if (relation) return run(relation);

  // Only while idle (DESIGN §6): everything above has priority.
  const last = local.lastUpdateStatus ?? remote.now;
  if (local.requeued === true || remote.now - last >= remote.updateStatusInterval) {
    return lifecycle('update-status');
  }
  return IDLE;
}

/** After a hook that called ctx.requeue() committed: update-status comes once nothing else is due. */
export function requeue(local: LocalState): LocalState {
  return { ...local, requeued: true };
}

/** Before running a hook: it is in flight until it commits or fails. */
export function startHook(local: LocalState, hook: Hook): LocalState {
  return { ...local, inFlight: hook };
}

/** A hook failed: its writes are discarded; the queue stops until it is resolved (DESIGN §6). */
export function failHook(local: LocalState, hook: Hook): LocalState {
  return { ...local, inFlight: undefined, failed: hook };
}

/**
 * LocalState after `hook` committed (or was skipped with --no-retry). `remote` is the state the
 * hook was chosen from: versions and hashes it delivered are recorded from it, so a change that
 * landed while the hook ran still differs and gets its own hook.
 */
export function applyHook(local: LocalState, hook: Hook, remote: RemoteState): LocalState {
  const base: LocalState = {
    ...local,
    inFlight: undefined,
    failed: local.failed && sameHook(local.failed, hook) ? undefined : local.failed,
  };
  if (isRelationHook(hook)) return applyRelationHook(base, hook, remote);
  switch (hook.kind) {
    case 'install':
      return { ...base, installed: true, charmHash: remote.charmHash };
    case 'leader-elected':
      return {
        ...base,
        leaderKnown: true,
        leaderSettingsVersion: remote.leaderSettingsVersion,
      };
    case 'leader-settings-changed':
      return {
        ...base,
        leaderKnown: false,
        leaderSettingsVersion: remote.leaderSettingsVersion,
      };
    case 'config-changed':
      return { ...base, configHash: remote.configHash };
    case 'start':
      // The first update-status comes one interval after start.
      return { ...base, started: true, lastUpdateStatus: remote.now };
    case 'upgrade-charm':
      return { ...base, charmHash: remote.charmHash, configHash: undefined };
    case 'update-status':
      return { ...base, lastUpdateStatus: remote.now, requeued: false };
    case 'stop':
      return { ...base, stopped: true };
    case 'remove':
      return { ...base, removed: true };
  }
}
