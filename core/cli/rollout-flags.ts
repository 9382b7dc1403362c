// The rollout policy flags that refresh, config, attach-resource and set-rollout-policy take
// (BOSH's update block, DESIGN §11); the controller checks the values, and falls back to the
// application's policy (set-rollout-policy), then model-config's rollout-* settings.
import type { PolicyFlags } from '../controller/rollout-policy.js';

export const ROLLOUT_FLAGS = {
  canaries: { type: 'string' },
  'max-in-flight': { type: 'string' },
  watch: { type: 'string' },
} as const;

export const ROLLOUT_USAGE = '[--canaries N] [--max-in-flight N|P%] [--watch MIN-MAX]';

export const ROLLOUT_HELP = [
  'The units move in a rollout: --canaries first (default 1), then --max-in-flight at a time',
  '(default 1; 100% is all at once), followers before the leader. Each unit must settle, active',
  'or as it was, within --watch MIN-MAX (default 1s-5m); one that fails halts the rollout, and',
  'the units not reached keep the old. rune rollouts lists rollouts; rune rollout APP --resume',
  'or --abort acts on a halted one. Flags not given come from rune set-rollout-policy APP, else',
  'from model-config rollout-canaries, rollout-max-in-flight and rollout-watch.',
];

export function policyFromFlags(values: {
  canaries?: string;
  'max-in-flight'?: string;
  watch?: string;
}): PolicyFlags | undefined {
  const flags: PolicyFlags = {};
  if (values.canaries !== undefined) flags.canaries = values.canaries;
  if (values['max-in-flight'] !== undefined) flags.maxInFlight = values['max-in-flight'];
  if (values.watch !== undefined) flags.watch = values.watch;
  return Object.keys(flags).length > 0 ? flags : undefined;
}
