// What the controller itself adds to the status history (issue 17 item 2): a machine's derived
// status as its probes start or stop failing, with its units' agents `lost` and back, and the
// model's own entries — the resurrector's meltdown brake and each machine it replaced.
// Unit statuses the agents set are recorded by the store as they are written.
import type { Store } from '../store/types.js';
import { unitsOnMachine } from '../store/unit-index.js';
import type { Health } from './machine-pool.js';
import { LOST_MESSAGE } from './model-status.js';

/** The model's own stream: `show-status-log model`. */
export const MODEL_ENTITY = 'model';

/** The MachinePool's onHealthChange: records the change, then `changed()` (the event bus).
 * A probe that ends as the controller shuts down finds the store closed: that is only logged,
 * so the probe's caller does not fail. */
export function healthRecorder(
  { store, log = () => undefined }: { store: Store; log?: (line: string) => void },
  changed: () => void,
): (id: string, health: Health) => void {
  return (id, health) => {
    try {
      recordHealthChange(store, id, health);
    } catch (e) {
      log(`status history: machine ${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
    changed();
  };
}

/** What the pool saw of machine `id` now, with its units' agents; one transaction. */
export function recordHealthChange(store: Store, id: string, health: Health): void {
  // A machine being removed (remove-machine, the resurrector) may still answer a last probe:
  // its history went with it and is not begun again.
  if (store.machine(id) === undefined) return;
  const at = health.since;
  store.transaction(() => {
    store.recordStatus({
      entity: id,
      type: 'machine',
      status: health.reachable ? 'started' : 'down',
      message: health.reachable ? '' : health.message,
      at,
    });
    for (const { name } of unitsOnMachine(store.unitIndex(), id)) {
      const agent = store.unit(name)?.agentStatus;
      if (!agent) continue;
      // Back: what the agent last reported (recordStatus skips it when nothing was lost, as
      // after a controller restart).
      const [status, message] = health.reachable
        ? [agent.current, agent.message]
        : ['lost', LOST_MESSAGE];
      store.recordStatus({ entity: name, type: 'juju-unit', status, message, at });
    }
  });
}

/** The brake's state, recorded when it changes: on (with why; a new reason is a new entry)
 * or released. Read back from the history, so a restarted controller neither repeats an entry
 * nor forgets to release a brake its predecessor put on. */
export function recordBrake(store: Store, brake: string | undefined, at: Date): void {
  const last = store
    .statusHistory(MODEL_ENTITY, ['model'])
    .findLast((e) => e.status === 'brake-on' || e.status === 'brake-off');
  if (brake === undefined && last?.status !== 'brake-on') return;
  store.recordStatus({
    entity: MODEL_ENTITY,
    type: 'model',
    status: brake === undefined ? 'brake-off' : 'brake-on',
    message: brake ?? 'meltdown brake released',
    at: at.toISOString(),
  });
}

/** One machine the resurrector dealt with: `replaced` with the units that took the dead ones'
 * place and where, or `failed` with why. */
export function recordReplacement(
  store: Store,
  outcome: {
    machine: string;
    lostSince: string;
    /** Dead unit → its replacement (undefined when none could be added). */
    units: [string, string | undefined][];
    error?: string;
  },
  at: Date,
): void {
  const { machine, lostSince, units, error } = outcome;
  const lost = `machine ${machine} (lost since ${lostSince})`;
  const machines = [
    ...new Set(units.flatMap(([, added]) => store.unit(added ?? '')?.machine ?? [])),
  ].filter((m) => m !== '');
  const moved = units
    .map(([dead, added]) =>
      added === undefined ? `${dead} not replaced` : `${dead} is now ${added}`,
    )
    .join(', ');
  const message =
    error !== undefined
      ? `replacing ${lost} failed: ${error}`
      : units.length === 0
        ? `removed ${lost}: it held no units`
        : `replaced ${lost} by machine${machines.length === 1 ? '' : 's'} ` +
          `${machines.join(', ') || '(none)'} (${moved})`;
  store.recordStatus({
    entity: MODEL_ENTITY,
    type: 'model',
    status: error === undefined ? 'replaced' : 'failed',
    message,
    at: at.toISOString(),
  });
}
