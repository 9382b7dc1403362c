// `rune rollback APP [--to REV]` (DESIGN §11, issue 14 item 5): the application's charm revision
// and config as a recorded model revision left them, restored as a new revision (Helm's way) and
// rolled out to the units with the policy. Checked first as refresh checks a charm — nothing
// changes unless the restored spec fits the model. Secret options keep their current values:
// history never held them.
import type { CharmRepository } from '../charm/repository.js';
import { isSecretSetting } from '../model/redact.js';
import type { ConfigValues } from '../model/types.js';
import type { RecordedSpec } from '../store/history-types.js';
import { ApplicationNotFoundError, CharmRevisionNotFoundError } from '../store/errors.js';
import type { ApplicationRecord, ApplicationSpec, Store } from '../store/types.js';
import { commands } from './history-commands.js';
import { recordedSpec } from './history-diff.js';
import { type ModelHistory, modelView } from './history.js';
import { refreshProblems } from './refresh.js';
import { RollbackRefusedError, rollbackTarget } from './rollback-target.js';
import { type PolicyFlags, policyFlags, rolloutPolicy } from './rollout-policy.js';
import { startRollout } from './rollouts.js';

export interface RollbackRequest {
  application: string;
  /** A model revision; absent: the state before the application's latest change. */
  to?: number;
  policy?: PolicyFlags;
}

export interface RollbackResponse {
  application: string;
  /** The new model revision the rollback is. */
  revision: number;
  /** The model revision whose state it restored. */
  restored: number;
  charmRevision: { from: number; to: number };
  /** Options it set or reset, sorted. */
  config: string[];
  /** Secret options that kept their current values (history never records them). */
  keptSecrets: string[];
  /** Resources left at their current revision: the store keeps only each one's latest file. */
  resourcesKept: string[];
}

/** The request body as the API received it, checked: a malformed one is refused whole. */
export function rollbackRequest(body: unknown): RollbackRequest {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const { application, to } = b;
  if (typeof application !== 'string' || application === '') {
    throw new RollbackRefusedError('?', 'the request names no application');
  }
  if (to !== undefined && typeof to !== 'number') {
    throw new RollbackRefusedError(
      application,
      `--to takes a model revision number, got ${JSON.stringify(to)}`,
    );
  }
  return {
    application,
    ...(to === undefined ? {} : { to }),
    ...(b.policy === undefined ? {} : { policy: policyFlags(b.policy) }),
  };
}

const specOf = (app: ApplicationRecord): ApplicationSpec => ({
  charmRevision: app.charmRevision,
  charmDir: app.charmDir,
  config: app.config,
});

const secretsOf = (config: ConfigValues): ConfigValues =>
  Object.fromEntries(Object.entries(config).filter(([k, v]) => isSecretSetting(k, String(v))));

/**
 * Puts a recorded spec back on the application: its charm revision, and its options with the
 * current secret values kept. The one place a spec is restored, so when the store keeps every
 * resource revision, restoring those is added here. Resolves to the resources it could not.
 */
export function restoreSpec(store: Store, application: string, spec: RecordedSpec): string[] {
  const app = store.application(application);
  if (!app) throw new ApplicationNotFoundError(application);
  if (spec.charmRevision !== app.charmRevision)
    store.useCharmRevision(application, spec.charmRevision);
  store.resetConfig(application, Object.keys(app.config));
  store.setConfig(application, { ...spec.config, ...secretsOf(app.config) });
  const attached = Object.fromEntries(
    store.resources(application).map((r) => [r.name, r.revision]),
  );
  return Object.keys({ ...attached, ...spec.resources })
    .sort()
    .filter((name) => attached[name] !== spec.resources[name])
    .map((name) => {
      const [now, then] = [attached[name], spec.resources[name]];
      return `${name} (at revision ${now ?? 'none'}; recorded ${then ?? 'none'})`;
    });
}

export function rollback(
  deps: { store: Store; charms: CharmRepository; history: ModelHistory; now(): Date },
  request: RollbackRequest,
): RollbackResponse {
  const { store, charms, history } = deps;
  const name = request.application;
  const app = store.application(name);
  const view = modelView(store)[name];
  if (!app || !view) throw new ApplicationNotFoundError(name);
  const target = rollbackTarget({
    application: name,
    revisions: store.modelRevisions(name),
    latest: store.latestModelRevision(),
    ...(request.to === undefined ? {} : { to: request.to }),
    current: recordedSpec(view),
  });
  const { spec } = target;
  // Checked as a refresh would be: the restored charm must fit today's relations, and the
  // restored options the restored charm.
  const moved = spec.charmRevision !== app.charmRevision;
  const known = store.charmRevisions(name).find((r) => r.revision === spec.charmRevision);
  if (!known) throw new CharmRevisionNotFoundError(name, spec.charmRevision);
  const charm = moved ? charms.loadFresh(known.charmDir) : charms.load(app.charmDir, '/');
  const config = { ...spec.config, ...secretsOf(app.config) };
  const problems = refreshProblems(store, { ...app, config }, charm);
  if (problems.length > 0) throw new RollbackRefusedError(name, problems.join('; '));
  const policy = rolloutPolicy(request.policy ?? {}, store.modelConfig());
  const resourcesKept = history.record(
    commands.rollback(request),
    () => {
      const kept = restoreSpec(store, name, spec);
      const after = store.application(name);
      if (!after) throw new ApplicationNotFoundError(name);
      startRollout(store, {
        application: name,
        change: `rollback to model revision ${target.revision}`,
        from: specOf(app),
        to: specOf(after),
        policy,
        at: deps.now().toISOString(),
      });
      return kept;
    },
    target.revision,
  );
  if (moved) charms.remember(charm);
  return {
    application: name,
    revision: store.latestModelRevision(),
    restored: target.revision,
    charmRevision: { from: app.charmRevision, to: spec.charmRevision },
    config: Object.keys({ ...app.config, ...config })
      .filter((k) => app.config[k] !== config[k])
      .sort(),
    keptSecrets: Object.keys(secretsOf(app.config)).sort(),
    resourcesKept,
  };
}
