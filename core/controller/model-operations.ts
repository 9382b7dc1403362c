// The model verbs behind the API (DESIGN §10): deploy a bundle, add units, relate, resolve, and
// read the hook log. Each validates against the live model first and changes nothing when the
// request is invalid; the unit runner is woken to act on what changed.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHARM_CODE_FILES } from '../charm/module-loader.js';
import { resolveRelations, type RelationApp } from '../bundle/relations.js';
import type { CharmRepository } from '../charm/repository.js';
import type { Charm } from '../charm/types.js';
import { RuneError } from '../model/errors.js';
import { endpointKey, relationKey, type Endpoint } from '../model/types.js';
import { describeChange, plan, type PlanOptions } from '../planner/index.js';
import { ApplicationNotFoundError } from '../store/errors.js';
import type { HookLogEntry, Store } from '../store/types.js';
import { formatDiagnostic } from '../yaml/diagnostic.js';
import { applyChanges } from './apply-plan.js';
import type { ConfigOptionView } from './api.js';
import { configView, setConfig } from './config-operations.js';
import type { PolicyFlags } from './rollout-policy.js';
import { loadBundle } from './bundle-files.js';
import { freeMachine, UNPLACED } from './placement.js';

export class ModelRequestError extends RuneError {
  readonly kind = 'user';
}

export interface ModelOperationDeps {
  store: Store;
  charms: CharmRepository;
  /** Whether machines are made on demand (a provider); without one, units take free machines
   * the operator added, or wait for one. */
  makesMachines: boolean;
  /** Makes the next machine (a provider plus SSH) and records it; resolves to its id. */
  addMachine(constraints: string): Promise<string>;
  /** Tells the unit runner the model changed. */
  wake(): void;
  /** The hook the unit failed and waits on, from its agent; undefined when not in error. */
  failedHook(unit: string): string | undefined;
  /** Starts loading a newly deployed application's charm code while its machines are made. */
  warmCharm?(application: string): void;
}

export class ModelOperations {
  constructor(private readonly deps: ModelOperationDeps) {}

  /** The charm a deployed application runs. */
  charmOf(application: string): Charm {
    const app = this.deps.store.application(application);
    if (!app) throw new ApplicationNotFoundError(application);
    return this.deps.charms.load(app.charmDir, '/');
  }

  async deploy(
    bundle: string,
    overlays: readonly string[],
    options: PlanOptions = {},
  ): Promise<{ changes: string[]; warnings: string[] }> {
    const { store } = this.deps;
    // Journaled: if the controller dies mid-apply, resumeDeploys() plans the same files again
    // against the model as it was left, so only what is missing is done (nothing twice).
    const request = { bundle, overlays: [...overlays], ...options };
    const id = store.deployStarted(request, new Date().toISOString());
    try {
      return await this.apply(bundle, overlays, [], options);
    } finally {
      // A refused or failed deploy is over too: only a controller dying leaves one open.
      store.deployFinished(id, new Date().toISOString());
    }
  }

  /** Finishes deploys a dead controller left unfinished; their bundles, for the log. */
  async resumeDeploys(): Promise<string[]> {
    const resumed: string[] = [];
    const { store } = this.deps;
    for (const { id, request, startedAt } of store.unfinishedDeploys()) {
      const { bundle, overlays, ...options } = request as unknown as {
        bundle: string;
        overlays: string[];
      } & PlanOptions;
      // Machines are made ahead of the units that go on them: the dead deploy may have made
      // some that no unit reached. The resumed plan takes those before making new ones.
      const used = new Set(store.unitIndex().map((u) => u.machine));
      const orphans = store
        .machines()
        .filter((m) => m.life === 'alive' && !used.has(m.id) && m.createdAt >= startedAt)
        .map((m) => m.id);
      try {
        await this.apply(bundle, overlays, orphans, options);
        resumed.push(bundle);
      } finally {
        store.deployFinished(id, new Date().toISOString());
      }
    }
    return resumed;
  }

  private async apply(
    bundle: string,
    overlays: readonly string[],
    orphans: string[] = [],
    options: PlanOptions = {},
  ): Promise<{ changes: string[]; warnings: string[] }> {
    const { store, charms } = this.deps;
    const loaded = loadBundle(bundle, overlays, charms);
    if (options.existingMachines) {
      const missing = loaded.bundle.machines.filter((m) => store.machine(m.id) === undefined);
      if (missing.length > 0) {
        const ids = missing.map((m) => m.id).join(', ');
        throw new ModelRequestError(`machine ${ids} not found; rune status lists the machines`);
      }
    }
    const changes = plan(loaded.bundle, store.snapshot(), options);
    const byApp = new Map(loaded.bundle.applications.map((a) => [a.name, a]));
    // A charm without code would only put every unit in error: refuse before making anything.
    const missing = changes.flatMap((c) => {
      if (c.kind !== 'deploy') return [];
      const app = byApp.get(c.args.application);
      const dir = app ? charms.load(app.charmRef, dirname(bundle)).dir : undefined;
      return dir && !CHARM_CODE_FILES.some((f) => existsSync(join(dir, f)))
        ? [c.args.application]
        : [];
    });
    if (missing.length > 0) {
      throw new ModelRequestError(
        `charm code missing for ${missing.join(', ')}: a charm needs ${CHARM_CODE_FILES.join(', or ')} ` +
          '(docs/charm-authoring.md); rune deploy --dry-run shows the plan',
      );
    }
    // Free machines handed to this plan before any unit stands on them.
    const taken = new Set<string>();
    await applyChanges(changes, {
      store,
      makesMachines: this.deps.makesMachines,
      charmFor: (application) => {
        const app = byApp.get(application);
        // An application the plan only relates is already deployed: its recorded charm.
        return app ? charms.load(app.charmRef, dirname(bundle)) : this.charmOf(application);
      },
      addMachine: async (id, constraints) => {
        if (!this.deps.makesMachines) {
          const free = freeMachine(store, constraints, taken) ?? UNPLACED;
          if (free !== UNPLACED) taken.add(free);
          return free;
        }
        const orphan = orphans.findIndex(
          (m) => (store.machine(m)?.constraints ?? '') === constraints,
        );
        if (orphan >= 0) {
          // The plan's id is consumed (ids are never reused) so the ids after it still match.
          store.reserveMachineId();
          return orphans.splice(orphan, 1)[0] as string;
        }
        const made = await this.deps.addMachine(constraints);
        if (made !== id)
          throw new ModelRequestError(`machine ${made} was made where the plan expected ${id}`);
        return made;
      },
      applied: (change) => {
        if (change.kind === 'deploy') this.deps.warmCharm?.(change.args.application);
        this.deps.wake();
      },
    });
    this.deps.wake();
    return {
      changes: changes.map((c) => describeChange(c)),
      warnings: loaded.warnings.map(formatDiagnostic),
    };
  }

  async addUnits(application: string, count: number, to?: string): Promise<string[]> {
    const { store } = this.deps;
    const app = store.application(application);
    if (!app) throw new ApplicationNotFoundError(application);
    if (app.subordinate) {
      throw new ModelRequestError(
        `${application} is a subordinate application: its units follow its principals; relate it to one instead`,
      );
    }
    if (to !== undefined && !store.machine(to)) {
      throw new ModelRequestError(`machine ${to} not found; rune status lists the machines`);
    }
    const added: string[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const machine =
          to ??
          (this.deps.makesMachines
            ? await this.deps.addMachine(app.constraints)
            : (freeMachine(store, app.constraints) ?? UNPLACED));
        const number = store.application(application)?.nextUnitNumber ?? 0;
        added.push(store.addUnit({ name: `${application}/${number}`, machine }).name);
      }
    } finally {
      // A machine that could not be made fails the request, but the units added before it
      // are in the model: their agents start now, not at the next full pass.
      if (added.length > 0) this.deps.wake();
    }
    return added;
  }

  relate(a: string, b: string): string {
    const { store } = this.deps;
    const apps = new Map<string, RelationApp>();
    for (const app of store.applications().filter((x) => x.life === 'alive')) {
      const charm = this.charmOf(app.name);
      apps.set(app.name, {
        charm: charm.meta.name,
        subordinate: app.subordinate,
        endpoints: charm.meta.endpoints,
      });
    }
    const { relations, problems } = resolveRelations([{ index: 0, ends: [a, b] }], apps);
    if (problems.length > 0) throw new ModelRequestError(problems.map((p) => p.message).join('; '));
    const resolved = relations[0];
    if (!resolved) throw new ModelRequestError(`cannot relate "${a}" and "${b}"`);
    const key = relationKey(resolved.endpoints);
    const existing = store
      .relations()
      .find((r) => r.life === 'alive' && relationKey(r.endpoints) === key);
    const label = resolved.endpoints.map(endpointKey).join(' - ');
    if (existing) throw new ModelRequestError(`relation ${label} already exists`);
    const ends: Endpoint[] = resolved.endpoints.map((e) => {
      const spec = apps.get(e.application)?.endpoints.find((x) => x.name === e.name);
      if (!spec) throw new ModelRequestError(`${e.application} has no endpoint ${e.name}`);
      return { ...spec, application: e.application };
    });
    ends.sort((x, y) => (x.role === 'provider' ? -1 : y.role === 'provider' ? 1 : 0));
    store.addRelation(ends);
    this.deps.wake();
    return ends.map(endpointKey).join(' - ');
  }

  /** Units go dying (their subordinates with them); --force removes them without hooks. */
  removeUnits(names: readonly string[], force: boolean): void {
    const { store } = this.deps;
    const units = store.units();
    const problems: string[] = [];
    for (const name of names) {
      const unit = units.find((u) => u.name === name);
      if (!unit) problems.push(`unit ${name} not found`);
      else if (unit.principal !== undefined) {
        problems.push(
          `unit ${name} is a subordinate: remove its relation or its principal ${unit.principal}`,
        );
      }
    }
    if (problems.length > 0)
      throw new ModelRequestError(`${problems.join('; ')}; rune status lists the units`);
    store.transaction(() => {
      for (const name of names) {
        for (const u of units.filter((x) => x.name === name || x.principal === name)) {
          if (force) {
            if (store.leader(u.application) === u.name) store.setLeader(u.application, undefined);
            store.removeUnit(u.name);
          } else store.setUnitLife(u.name, 'dying');
        }
      }
    });
    this.deps.wake();
  }

  removeApplication(name: string, force: boolean): void {
    const { store } = this.deps;
    if (!store.application(name)) throw new ApplicationNotFoundError(name);
    store.transaction(() => {
      store.setApplicationLife(name, 'dying');
      for (const r of store
        .relations()
        .filter((x) => x.endpoints.some((e) => e.application === name))) {
        store.setRelationLife(r.id, 'dying');
      }
    });
    const own = store.units().filter((u) => u.application === name && u.principal === undefined);
    if (own.length > 0)
      this.removeUnits(
        own.map((u) => u.name),
        force,
      );
    // A subordinate application's units go with it.
    for (const u of store
      .units()
      .filter((x) => x.application === name && x.principal !== undefined)) {
      store.setUnitLife(u.name, 'dying');
    }
    this.deps.wake();
  }

  removeRelation(a: string, b: string): string {
    const { store } = this.deps;
    const [appA, epA] = a.split(':');
    const [appB, epB] = b.split(':');
    const matches = store.relations().filter((r) => {
      if (r.life !== 'alive' || r.endpoints.length !== 2) return false;
      const fits = (side: string | undefined, ep: string | undefined, e: Endpoint) =>
        e.application === side && (ep === undefined || e.name === ep);
      const [x, y] = r.endpoints as [Endpoint, Endpoint];
      return (
        (fits(appA, epA, x) && fits(appB, epB, y)) || (fits(appA, epA, y) && fits(appB, epB, x))
      );
    });
    const label = (r: { endpoints: Endpoint[] }) => r.endpoints.map(endpointKey).join(' - ');
    if (matches.length === 0)
      throw new ModelRequestError(
        `no relation between "${a}" and "${b}"; rune status --relations lists them`,
      );
    if (matches.length > 1) {
      throw new ModelRequestError(
        `ambiguous: name the endpoints, one of: ${matches.map(label).join(', ')}`,
      );
    }
    const relation = matches[0] as (typeof matches)[number];
    store.transaction(() => {
      store.setRelationLife(relation.id, 'dying');
      // Juju removes the subordinate units a container-scoped relation placed.
      if (relation.endpoints.some((e) => e.scope === 'container')) {
        const apps = relation.endpoints.map((e) => e.application);
        for (const u of store
          .units()
          .filter((x) => x.principal !== undefined && apps.includes(x.application))) {
          const principal = store.units().find((p) => p.name === u.principal);
          if (principal && apps.includes(principal.application)) store.setUnitLife(u.name, 'dying');
        }
      }
    });
    this.deps.wake();
    return label(relation);
  }

  /** The application's options: value and whether it is the default or set by the operator. */
  config(application: string): Record<string, ConfigOptionView> {
    return configView(this.deps.store, this.charmOf(application), application);
  }

  /** Sets options (strings coerced by the charm's config.yaml) and resets others; the units
   * move to the new config in a rollout. */
  setConfig(
    application: string,
    values: Record<string, string>,
    reset: readonly string[],
    policyFlags: PolicyFlags = {},
  ): void {
    setConfig(this.deps.store, this.charmOf(application), {
      application,
      values,
      reset,
      policyFlags,
    });
    this.deps.wake();
  }

  resolve(unit: string, retry: boolean): void {
    const { store } = this.deps;
    if (!store.units().some((u) => u.name === unit)) {
      throw new ModelRequestError(`unit ${unit} not found; rune status lists the units`);
    }
    const failed = this.deps.failedHook(unit);
    if (failed === undefined) throw new ModelRequestError(`unit ${unit} is not in error`);
    store.transaction(() => {
      store.setUnitRuntime(unit, { resolved: retry ? 'retry' : 'no-retry', retryAt: undefined });
      // The error is being dealt with: say so until the unit's next hook sets its own status.
      const message = `${retry ? 'retrying' : 'skipping'} hook "${failed}"`;
      store.setUnitStatus(unit, {
        workloadStatus: { current: 'maintenance', message, since: new Date().toISOString() },
      });
    });
    this.deps.wake();
  }

  hookLog(after: number): HookLogEntry[] {
    return this.deps.store.hookLog(after);
  }
}
