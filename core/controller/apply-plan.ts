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

export async function applyChanges(changes: readonly ChangeData[], deps: ApplyDeps): Promise<void> {
  const { store } = deps;
  // The plan's machine ids → the machines its units go on (the same, unless taken from the
  // free machines of a manual model).
  const provided = new Map<string, string>();
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
        provided.set(machine, await newMachine(deps, change, machine, constraints));
        break;
      }
      case 'addUnit': {
        const { unit, machine, newMachine: isNew, constraints } = change.args;
        if (isNew)
          provided.set(machine, await newMachine(deps, change, machine, constraints ?? ''));
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
