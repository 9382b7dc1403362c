// Where the controller's metrics come from (metrics.ts): the store for units, rollouts and
// certificate expiry, the machine pool for machine status, the event bus for whether the store
// moved since the last scrape; and which store writes are leader changes.
import { certificateExpiries } from './certificate-expiry.js';
import { ControllerMetrics, type MetricsOptions } from './metrics.js';
export type { ControllerMetrics };
import { machineStatusOf, type MachinePool } from './machine-pool.js';
import type { ModelEvents } from './model-events.js';
import type { StoreMethod } from '../store/store-methods.js';
import type { Store } from '../store/types.js';

export function controllerMetrics(
  store: Store,
  events: Pick<ModelEvents, 'generation'>,
  pool: Pick<MachinePool, 'health'>,
  options: MetricsOptions = {},
): ControllerMetrics {
  return new ControllerMetrics(
    {
      generation: () => events.generation,
      units: () => store.units(),
      machineStatuses: () => store.machineIds().map((id) => machineStatusOf(pool.health(id))),
      rollouts: () => store.rollouts(),
      certificateExpiries: () => certificateExpiries(store).applications,
    },
    options,
  );
}

/** For observeStore's `wrote`: leadership moves only through setLeader, and a unit named there
 * is always a new leader (leadership.ts renews a sitting one with renewLease). `metrics` is
 * asked for when a write comes, as the store is observed before the metrics exist. */
export function countLeaderChanges(
  metrics: () => Pick<ControllerMetrics, 'leaderChanged'>,
): (method: StoreMethod, args: readonly unknown[]) => void {
  return (method, args) => {
    const [application, unit] = args;
    if (method === 'setLeader' && typeof application === 'string' && typeof unit === 'string')
      metrics().leaderChanged(application);
  };
}
