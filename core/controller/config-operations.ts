// `rune config`'s two verbs (DESIGN §10–11): the application's options as the operator sees
// them, and setting or resetting them — checked against the charm's config.yaml, nothing stored
// unless all are valid, and the units moved to the new config in a rollout.
import { validateConfigValues } from '../charm/config.js';
import type { Charm } from '../charm/types.js';
import type { Store } from '../store/types.js';
import type { ConfigOptionView } from './api.js';
import { ModelRequestError } from './model-operations.js';
import { currentSpec } from './application-spec.js';
import type { PolicyFlags } from './rollout-policy.js';
import { policyFor, startRollout } from './rollouts.js';
import { own } from '../model/own.js';

/** Every option, sorted, with its value and where the value comes from. */
export function configView(
  store: Store,
  charm: Charm,
  application: string,
): Record<string, ConfigOptionView> {
  const app = store.application(application);
  const out: Record<string, ConfigOptionView> = {};
  for (const option of Object.values(charm.config.options).sort((x, y) =>
    x.name < y.name ? -1 : 1,
  )) {
    const set = app ? own(app.config, option.name) : undefined;
    const entry: ConfigOptionView = {
      source: set !== undefined ? 'user' : option.default !== undefined ? 'default' : 'unset',
      type: option.type,
      description: option.description,
    };
    const value = set ?? option.default;
    if (value !== undefined) entry.value = value;
    out[option.name] = entry;
  }
  return out;
}

/** A config as text with sorted keys: equal texts, equal configs. */
const configText = (config: Record<string, unknown>): string =>
  JSON.stringify(
    Object.keys(config)
      .sort()
      .map((k) => [k, config[k]]),
  );

export function setConfig(
  store: Store,
  charm: Charm,
  request: {
    application: string;
    values: Record<string, string>;
    reset: readonly string[];
    policyFlags: PolicyFlags;
  },
): void {
  const { application, values, reset } = request;
  const { values: coerced, problems } = validateConfigValues(
    charm.meta.name,
    charm.config,
    values,
    'coerce',
  );
  const unknown = reset.filter((r) => !Object.hasOwn(charm.config.options, r));
  const lines = [
    ...problems.map((p) => `${p.option}: ${p.message}`),
    ...unknown.map((r) => `--reset ${r}: charm ${charm.meta.name} has no option "${r}"`),
  ];
  if (lines.length > 0) throw new ModelRequestError(lines.join('\n'));
  const policy = policyFor(store, application, request.policyFlags);
  store.transaction(() => {
    const before = store.application(application);
    if (Object.keys(coerced).length > 0) store.setConfig(application, coerced);
    if (reset.length > 0) store.resetConfig(application, reset);
    const after = store.application(application);
    if (!before || !after || configText(before.config) === configText(after.config)) return;
    // The units move to the new config in batches (DESIGN §11); those not reached keep the old.
    const to = currentSpec(store, application);
    startRollout(store, {
      application,
      change: 'config',
      from: { ...to, config: before.config },
      to,
      policy,
      at: new Date().toISOString(),
    });
  });
}
