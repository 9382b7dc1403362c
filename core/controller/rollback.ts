// `rune rollback APP [--to REV]` (DESIGN §11, issue 14 item 5): the application's charm revision,
// config and resource revisions as a recorded model revision left them, restored as a new revision (Helm's way) and
// rolled out to the units with the policy. Checked first as refresh checks a charm — nothing
// changes unless the restored spec fits the model. Secret options keep their current values:
// history never held them.
import type { CharmRepository } from '../charm/repository.js';
import { isSecretSetting } from '../model/redact.js';
import type { ConfigValues } from '../model/types.js';
import { ApplicationNotFoundError, CharmRevisionNotFoundError } from '../store/errors.js';
import type { ApplicationSpec, Store } from '../store/types.js';
import { currentSpec, restoreSpec } from './application-spec.js';
import { commands } from './history-commands.js';
import { recordedSpec } from './history-diff.js';
import { type ModelHistory, modelView } from './history.js';
import { refreshProblems } from './refresh.js';
import { RollbackRefusedError, rollbackTarget } from './rollback-target.js';
import { type PolicyFlags, rolloutPolicy } from './rollout-policy.js';
import { startRollout } from './rollouts.js';
import { own } from '../model/own.js';

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
  /** Resources moved to the recorded revision, sorted: `core 2 → 1`, `core 2 → none`. */
  resources: string[];
}

const secretsOf = (config: ConfigValues): ConfigValues =>
  Object.fromEntries(Object.entries(config).filter(([k, v]) => isSecretSetting(k, String(v))));

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
  const restored: ApplicationSpec = {
    charmRevision: spec.charmRevision,
    charmDir: known.charmDir,
    config,
    resources: spec.resources,
  };
  const before = currentSpec(store, name);
  history.record(
    commands.rollback(request),
    () => {
      restoreSpec(store, name, restored);
      startRollout(store, {
        application: name,
        change: `rollback to model revision ${target.revision}`,
        from: before,
        to: currentSpec(store, name),
        policy,
        at: deps.now().toISOString(),
      });
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
      .filter((k) => own(app.config, k) !== own(config, k))
      .sort(),
    keptSecrets: Object.keys(secretsOf(app.config)).sort(),
    resources: Object.keys({ ...before.resources, ...spec.resources })
      .sort()
      .filter((r) => own(before.resources, r) !== own(spec.resources, r))
      .map(
        (r) => `${r} ${own(before.resources, r) ?? 'none'} → ${own(spec.resources, r) ?? 'none'}`,
      ),
  };
}
