// A rollout's policy (BOSH's update block: canaries, max-in-flight, watch time) from the
// request's flags, else the settings (the application's over the model's, under model-config's
// key names), else the defaults; bad values refused whole. Pure.
import { RuneError } from '../model/errors.js';
import type { RolloutPolicy } from '../store/types.js';
import { parseDurationMs } from './duration.js';

export class RolloutError extends RuneError {
  readonly kind = 'user';
}

/** The policy as the operator may give it: each field text, as typed. */
export interface PolicyFlags {
  canaries?: string;
  maxInFlight?: string;
  watch?: string;
}

export const POLICY_DEFAULTS: Required<PolicyFlags> = {
  canaries: '1',
  maxInFlight: '1',
  watch: '1s-5m',
};

/** Where each field of the policy is set, under model-config's key names. */
export const POLICY_KEYS: Required<Record<keyof PolicyFlags, string>> = {
  canaries: 'rollout-canaries',
  maxInFlight: 'rollout-max-in-flight',
  watch: 'rollout-watch',
};

/** The policy from flags, else settings (`rollout-canaries`...), else the defaults. */
export function rolloutPolicy(flags: PolicyFlags, settings: Record<string, string>): RolloutPolicy {
  const canaries = flags.canaries ?? settings[POLICY_KEYS.canaries] ?? POLICY_DEFAULTS.canaries;
  const inFlight =
    flags.maxInFlight ?? settings[POLICY_KEYS.maxInFlight] ?? POLICY_DEFAULTS.maxInFlight;
  const watch = flags.watch ?? settings[POLICY_KEYS.watch] ?? POLICY_DEFAULTS.watch;
  const problems: string[] = [];
  if (!/^\d+$/.test(canaries))
    problems.push(`--canaries must be a whole number, got "${canaries}"`);
  const count = /^([1-9]\d*)$/.exec(inFlight);
  const percent = /^([1-9]\d?|100)%$/.exec(inFlight);
  if (!count && !percent) {
    problems.push(
      `--max-in-flight must be a number of units from 1 or a percentage from 1% to 100%, got "${inFlight}"`,
    );
  }
  const [min, max, extra] = watch.split('-');
  const minMs = parseDurationMs(min ?? '');
  const maxMs = parseDurationMs(max ?? '');
  if (extra !== undefined || minMs === undefined || maxMs === undefined) {
    problems.push(`--watch must be MIN-MAX durations like 5s-5m, got "${watch}"`);
  } else if (maxMs < minMs) {
    problems.push(`--watch ${watch}: the maximum is shorter than the minimum`);
  }
  if (problems.length > 0) throw new RolloutError(problems.join('; '));
  return {
    canaries: Number(canaries),
    maxInFlight: count ? { count: Number(count[1]) } : { percent: Number(percent?.[1] ?? 100) },
    watchMinMs: minMs ?? 0,
    watchMaxMs: maxMs ?? 0,
  };
}
