// An application's own rollout policy (DESIGN §11, issue 14): `rune set-rollout-policy APP` and
// `rune rollout-policy APP`. Kept as application settings — Rune's, not the charm's, so never in
// `rune config` — under model-config's key names, between a change's flags and model-config.
import type { Store } from '../store/types.js';
import { ApplicationNotFoundError } from '../store/errors.js';
import {
  POLICY_DEFAULTS,
  POLICY_KEYS,
  type PolicyFlags,
  RolloutError,
  rolloutPolicy,
} from './rollout-policy.js';

export interface RolloutPolicyField {
  value: string;
  /** Where the value comes from when a change gives no flag for it. */
  source: 'application' | 'model' | 'default';
}

/** By flag name, as the operator types them. */
export type RolloutPolicyView = Record<'canaries' | 'max-in-flight' | 'watch', RolloutPolicyField>;

export interface SetRolloutPolicyRequest {
  application: string;
  policy: PolicyFlags;
  /** Drops the application's policy first: model-config and the defaults apply again. */
  reset: boolean;
}

const FIELDS = [
  ['canaries', 'canaries'],
  ['max-in-flight', 'maxInFlight'],
  ['watch', 'watch'],
] as const;

export function rolloutPolicyView(store: Store, application: string): RolloutPolicyView {
  if (!store.application(application)) throw new ApplicationNotFoundError(application);
  const own = store.applicationSettings(application);
  const model = store.modelConfig();
  const field = (flag: keyof PolicyFlags): RolloutPolicyField => {
    const key = POLICY_KEYS[flag];
    const a = own[key];
    if (a !== undefined) return { value: a, source: 'application' };
    const m = model[key];
    return m !== undefined
      ? { value: m, source: 'model' }
      : { value: POLICY_DEFAULTS[flag], source: 'default' };
  };
  return Object.fromEntries(FIELDS.map(([name, flag]) => [name, field(flag)])) as RolloutPolicyView;
}

/** Checked as the same flags on refresh would be; nothing is stored unless all are valid. */
export function setRolloutPolicy(store: Store, request: SetRolloutPolicyRequest): void {
  const { application, policy, reset } = request;
  if (!store.application(application)) throw new ApplicationNotFoundError(application);
  const given = FIELDS.filter(([, flag]) => policy[flag] !== undefined);
  if (given.length === 0 && !reset) {
    throw new RolloutError('give --canaries, --max-in-flight, --watch or --reset');
  }
  rolloutPolicy(policy, {});
  const values = Object.fromEntries(given.map(([, flag]) => [POLICY_KEYS[flag], policy[flag]]));
  store.setApplicationSettings(
    application,
    values as Record<string, string>,
    reset ? Object.values(POLICY_KEYS) : [],
  );
}
