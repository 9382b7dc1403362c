// Applying a plan's changes to the model (DESIGN §8): each change in order, each its own store
// transaction; machines come from the injected `addMachine` (a provider plus SSH), everything
// else is model records the unit agents act on. Peer relations are made when an application is
// deployed, as Juju does: bundles never list them.
import type { Charm } from '../charm/types.js';
import { RuneError } from '../model/errors.js';
import type { Endpoint, EndpointSpec } from '../model/types.js';
import type { ChangeData } from '../planner/change.js';
import type { Store } from '../store/types.js';

export class PlanStaleError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly change: string,
    readonly detail: string,
  ) {
    super(
      `the model changed since this plan was made (${change}: ${detail}); run the command again`,
    );
  }
}

export class ChangeNotSupportedError extends RuneError {
  readonly kind = 'user';

  constructor(readonly change: ChangeData) {
    super(`${change.kind} (${change.id}) is not supported yet: it arrives with day-2 operations`);
  }
}

export interface ApplyDeps {
  store: Store;
  /** The charm an application of the plan uses (loaded when the bundle was read). */
  charmFor(application: string): Charm;
  /** Provides the machine the plan calls `id`: makes it under that id (a provider), or takes
   * a free machine already in the model (manual), or none yet ("": its units wait). Resolves
   * to the id the plan's units go on. */
  addMachine(id: string, constraints: string): Promise<string>;
  /** False when machines are taken rather than made (default true). */
  makesMachines?: boolean;
  /** Told after each change is applied, for progress output and the event bus. */
  applied?(change: ChangeData): void;
}

const endpointOf = (application: string, spec: EndpointSpec): Endpoint => ({
  ...spec,
  application,
});

function findEndpoint(charm: Charm, application: string, name: string, change: string): Endpoint {
  const spec = charm.meta.endpoints.find((e) => e.name === name);
  if (!spec) throw new PlanStaleError(change, `${application} has no endpoint ${name}`);
  return endpointOf(application, spec);
}

async function newMachine(deps: ApplyDeps, change: ChangeData, id: string, constraints: string) {
  if (deps.makesMachines !== false) {
    // Ids are taken in order; one taken meanwhile (add-machine) would make the plan's id wrong.
    const next = String(deps.store.snapshot().nextMachineId);
    if (next !== id)
      throw new PlanStaleError(change.id, `machine ${id} is not the next id (${next})`);
  }
  return deps.addMachine(id, constraints);
}

/** Machines made at once: each is mostly waiting (namespaces, sshd start, the first SSH
 * round trip), so a few in parallel cut a bundle's start-up without crowding small hosts. */
const MACHINES_AT_ONCE = 4;

/** The plan's new machines, `[plan id, constraints]`, in plan order. */
function newMachines(changes: readonly ChangeData[]): [string, string][] {
  return changes.flatMap((c): [string, string][] => {
    if (c.kind === 'addMachine') return [[c.args.machine, c.args.constraints]];
    if (c.kind === 'addUnit' && c.args.newMachine)
      return [[c.args.machine, c.args.constraints ?? '']];
    return [];
  });
}

/**
 * Starts making the plan's machines ahead of the changes that use them, a few at a time. Each
 * is started in plan order, so ids are taken in order (addMachine reserves its id before its
 * first await); the changes then await their machine where the plan places it.
 */
function startMachines(
  changes: readonly ChangeData[],
  deps: ApplyDeps,
): Map<string, Promise<string>> {
  const started = new Map<string, Promise<string>>();
  const wanted = newMachines(changes);
  const change = changes.find((c) => c.kind === 'addMachine' || c.kind === 'addUnit');
  let previous: Promise<unknown>[] = [];
  for (let i = 0; i < wanted.length; i += MACHINES_AT_ONCE) {
    const batch = wanted.slice(i, i + MACHINES_AT_ONCE);
    const after = Promise.allSettled(previous);
    const made = batch.map(([id, constraints]) => {
      const p = after.then(() => newMachine(deps, change as ChangeData, id, constraints));
      // Awaited later by its change; until then a failure must not count as unhandled.
      p.catch(() => undefined);
      started.set(id, p);
      return p;
    });
    previous = made;
  }
  return started;
}

export async function applyChanges(changes: readonly ChangeData[], deps: ApplyDeps): Promise<void> {
  const { store } = deps;
  // The plan's machine ids → the machines its units go on (the same, unless taken from the
  // free machines of a manual model).
  const provided = new Map<string, string>();
  // Manual models take free machines as units need them: only made machines start early.
  const early =
    deps.makesMachines === false
      ? new Map<string, Promise<string>>()
      : startMachines(changes, deps);
  const machineFor = (change: ChangeData, id: string, constraints: string): Promise<string> =>
    early.get(id) ?? newMachine(deps, change, id, constraints);
  for (const change of changes) {
    switch (change.kind) {
      case 'deploy': {
        const { application, options, constraints } = change.args;
        const charm = deps.charmFor(application);
        store.transaction(() => {
          store.addApplication({
            name: application,
            charm: charm.meta.name,
            charmDir: charm.dir,
            subordinate: charm.meta.subordinate,
            config: options,
            constraints,
          });
          for (const peer of charm.meta.endpoints.filter((e) => e.role === 'peer')) {
            store.addRelation([endpointOf(application, peer)]);
          }
        });
        break;
      }
      case 'setConfig':
        store.setConfig(change.args.application, change.args.options);
        break;
      case 'expose':
        store.expose(change.args.application);
        break;
      case 'addMachine': {
        const { machine, constraints } = change.args;
        provided.set(machine, await machineFor(change, machine, constraints));
        break;
      }
      case 'addUnit': {
        const { unit, machine, newMachine: isNew, constraints } = change.args;
        if (isNew) provided.set(machine, await machineFor(change, machine, constraints ?? ''));
        store.addUnit({ name: unit, machine: provided.get(machine) ?? machine });
        break;
      }
      case 'addRelation': {
        const [a, b] = change.args.endpoints;
        const ends = [a, b].map((e) =>
          findEndpoint(deps.charmFor(e.application), e.application, e.name, change.id),
        );
        // Provider first, as the model records relations (core/model/types.ts).
        ends.sort((x, y) => (x.role === 'provider' ? -1 : y.role === 'provider' ? 1 : 0));
        store.addRelation(ends);
        break;
      }
      case 'refresh':
      case 'setConstraints':
        // Charm upgrades and constraint changes arrive with day 2 (DESIGN §11).
        throw new ChangeNotSupportedError(change);
    }
    deps.applied?.(change);
  }
}
