// The model verbs behind the API (DESIGN §10): deploy a bundle, add units, relate, resolve, and
// read the hook log. Each validates against the live model first and changes nothing when the
// request is invalid; the unit runner is woken to act on what changed.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHARM_CODE_FILES } from '../charm/module-loader.js';
import { resolveRelations, type RelationApp } from '../bundle/relations.js';
import { hookName, type Hook } from '../charm/hooks.js';
import type { CharmRepository } from '../charm/repository.js';
import type { Charm } from '../charm/types.js';
import { RuneError } from '../model/errors.js';
import { endpointKey, relationKey, type Endpoint } from '../model/types.js';
import { describeChange, plan } from '../planner/index.js';
import { ApplicationNotFoundError } from '../store/errors.js';
import type { HookLogEntry, Store } from '../store/types.js';
import { formatDiagnostic } from '../yaml/diagnostic.js';
import { applyChanges } from './apply-plan.js';
import { loadBundle } from './bundle-files.js';

export class ModelRequestError extends RuneError {
  readonly kind = 'user';
}

export interface ModelOperationDeps {
  store: Store;
  charms: CharmRepository;
  /** Makes the next machine (a provider plus SSH) and records it; resolves to its id. */
  addMachine(constraints: string): Promise<string>;
  /** Tells the unit runner the model changed. */
  wake(): void;
}

export class ModelOperations {
  constructor(private readonly deps: ModelOperationDeps) {}

  private charmOf(application: string): Charm {
    const app = this.deps.store.application(application);
    if (!app) throw new ApplicationNotFoundError(application);
    return this.deps.charms.load(app.charmDir, '/');
  }

  async deploy(
    bundle: string,
    overlays: readonly string[],
  ): Promise<{ changes: string[]; warnings: string[] }> {
    const { store, charms } = this.deps;
    const loaded = loadBundle(bundle, overlays, charms);
    const changes = plan(loaded.bundle, store.snapshot());
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
          '(the five shipped charms get theirs in issue 5); rune deploy --dry-run shows the plan',
      );
    }
    await applyChanges(changes, {
      store,
      charmFor: (application) => {
        const app = byApp.get(application);
        // An application the plan only relates is already deployed: its recorded charm.
        return app ? charms.load(app.charmRef, dirname(bundle)) : this.charmOf(application);
      },
      addMachine: async (id, constraints) => {
        const made = await this.deps.addMachine(constraints);
        if (made !== id)
          throw new ModelRequestError(`machine ${made} was made where the plan expected ${id}`);
      },
      applied: () => this.deps.wake(),
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
    for (let i = 0; i < count; i++) {
      const machine = to ?? (await this.deps.addMachine(app.constraints));
      const number = store.application(application)?.nextUnitNumber ?? 0;
      added.push(store.addUnit({ name: `${application}/${number}`, machine }).name);
    }
    this.deps.wake();
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

  resolve(unit: string, retry: boolean): void {
    const { store } = this.deps;
    if (!store.units().some((u) => u.name === unit)) {
      throw new ModelRequestError(`unit ${unit} not found; rune status lists the units`);
    }
    const runtime = store.unitRuntime(unit);
    const failed = (runtime?.localState as { failed?: Hook } | undefined)?.failed;
    if (!failed) throw new ModelRequestError(`unit ${unit} is not in error`);
    store.transaction(() => {
      store.setUnitRuntime(unit, { resolved: retry ? 'retry' : 'no-retry', retryAt: undefined });
      // The error is being dealt with: say so until the unit's next hook sets its own status.
      const message = `${retry ? 'retrying' : 'skipping'} hook "${hookName(failed)}"`;
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
