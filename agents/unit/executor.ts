// The unit agent's one executor (DESIGN §6): under the machine lock, one snapshot decides what is
// due; an operation due has its lifecycle event checked, is prepared, executed, and its outcome
// written in one commit transaction. Hooks and actions share this path; I/O arrives injected.
import type { HookResult } from '../../core/charm/sdk.js';
import type { BagChange } from '../../core/model/types.js';
import { lifecycleOf, nextLifecycle } from './lifecycle.js';
import {
  type Operation,
  type OperationDeps,
  runActionOperation,
  runHookOperation,
  skipHookOperation,
} from './operations.js';
import { isOperation, type OperationDecision, type Snapshot, takeSnapshot } from './snapshot.js';

export interface ExecutorDeps extends OperationDeps {
  /** One hook per machine (DESIGN §5), and in the controller a global bound too. */
  lock: { acquire(machineId: string, signal?: AbortSignal): Promise<() => void> };
  updateStatusIntervalMs: number;
  /** After an operation's outcome is committed: the relations whose bags it changed (and who
   * sees each change), and whether it changed the application's leader settings. */
  onCommit?(unit: string, relations: readonly BagChange[], leaderSettings: boolean): void;
  /** Hook (and action) start and end, for debug-log followers and the event bus. */
  onHook?(event: {
    unit: string;
    hook: string;
    phase: 'start' | 'end';
    outcome?: 'ok' | 'error';
  }): void;
}

export type StepResult = 'ran' | 'skipped' | 'idle' | 'wait-retry' | 'done' | 'missing';

export const defaultRetryDelay = (retries: number): number =>
  Math.min(5_000 * 2 ** Math.max(retries - 1, 0), 300_000);

/** Whether the unit has a hook or action due now (a wait on "all idle" must also wait for these). */
export function hasWorkDue(
  name: string,
  deps: Pick<ExecutorDeps, 'store' | 'now' | 'updateStatusIntervalMs'>,
): boolean {
  const decision = takeSnapshot(deps.store, name, deps, { data: false })?.decision;
  // update-status is periodic upkeep, not work a deploy waits for.
  return (
    (decision?.kind === 'run-hook' && decision.hook.kind !== 'update-status') ||
    decision?.kind === 'skip-hook' ||
    decision?.kind === 'run-action'
  );
}

/**
 * Runs the unit's next operation, if any; what happened is the result. The machine lock comes
 * first and the snapshot under it, so the read that chooses the operation is the one it runs
 * on, and no other hook on the machine can move the model between the two. A unit with
 * nothing due holds the lock only for that read.
 */
export async function stepUnit(name: string, deps: ExecutorDeps): Promise<StepResult> {
  const machine = deps.store.unit(name)?.machine;
  if (machine === undefined) return 'missing';
  const release = await deps.lock.acquire(machine);
  try {
    const snapshot = takeSnapshot(deps.store, name, deps);
    if (!snapshot) return 'missing';
    const { decision } = snapshot;
    if (!isOperation(decision)) return settle(snapshot, deps);
    return await execute(operationFor(snapshot, decision, deps), snapshot, deps);
  } finally {
    release();
  }
}

/** Decisions that run nothing on the machine: idle, waiting, and removal. */
function settle(snapshot: Snapshot, deps: ExecutorDeps): StepResult {
  const { decision, unit, local } = snapshot;
  if (decision.kind !== 'done') return decision.kind === 'wait-retry' ? 'wait-retry' : 'idle';
  // `remove` ran, the last hook ever (DESIGN §6): the unit leaves the model.
  nextLifecycle(unit.name, lifecycleOf(unit, local), { type: 'REMOVED' });
  const { store } = deps;
  store.transaction(() => {
    if (store.leader(unit.application) === unit.name) store.setLeader(unit.application, undefined);
    store.removeUnit(unit.name);
  });
  return 'done';
}

function operationFor(
  snapshot: Snapshot,
  decision: OperationDecision,
  deps: ExecutorDeps,
): Operation {
  switch (decision.kind) {
    case 'run-hook':
      return runHookOperation(snapshot, decision.hook, deps);
    case 'skip-hook':
      return skipHookOperation(snapshot, decision.hook, deps);
    case 'run-action':
      return runActionOperation(snapshot, decision.action, deps);
  }
}

const NOTHING_RAN: HookResult = { ok: false, error: undefined, logs: [] };

/** Lifecycle event → prepare → execute → one commit transaction → tell who listens. */
async function execute(op: Operation, snapshot: Snapshot, deps: ExecutorDeps): Promise<StepResult> {
  const unit = snapshot.unit.name;
  const started = nextLifecycle(unit, lifecycleOf(snapshot.unit, snapshot.local), op.start);
  const run = await op.prepare(started.agent);
  if (run) deps.onHook?.({ unit, hook: op.name, phase: 'start' });
  const result = run ? await run() : NOTHING_RAN;
  const end = run ? op.end(result) : undefined;
  const ended = end ? nextLifecycle(unit, started, end) : started;
  const committed = deps.store.transaction(() => op.commit(result, ended.agent));
  if (run) deps.onHook?.({ unit, hook: op.name, phase: 'end', outcome: committed.outcome });
  deps.onCommit?.(unit, committed.relations, committed.leaderSettings);
  return run ? 'ran' : 'skipped';
}
