// Model-wide settings, Juju's model-config: their names, defaults and parsing. Pure.
import { RuneError } from '../model/errors.js';
import { parseDurationMs } from './duration.js';
import { POLICY_DEFAULTS, rolloutPolicy } from './rollout-policy.js';
import { STATUS_HISTORY_DEFAULT, STATUS_HISTORY_SIZE_KEY } from '../store/status-history-types.js';

/** An upper bound, so a slip of the keyboard cannot make the history all but unbounded. */
const MAX_STATUS_HISTORY = 10_000;

export { parseDurationMs };

export class ModelConfigError extends RuneError {
  readonly kind = 'user';
}

interface Setting {
  default: string;
  description: string;
  /** Parsed value, or the reason the text is not one. */
  parse(text: string): number | { error: string };
}

/** A rollout setting: checked as the flag it stands for would be (rollouts.ts). */
const rolloutSetting = (
  flag: 'canaries' | 'maxInFlight' | 'watch',
  fallback: string,
  description: string,
): Setting => ({
  default: fallback,
  description,
  parse(text) {
    try {
      rolloutPolicy({ [flag]: text }, {});
      return 0;
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  },
});

/** Juju spells settings out in kebab-case; `certificate-` as easyrsa's certificate-lifetime. */
export const CERTIFICATE_WARNING_KEY = 'certificate-expiry-warning';

export const MODEL_SETTINGS: Record<string, Setting> = {
  'update-status-hook-interval': {
    default: '5m',
    description: 'How often idle units run update-status (at least 1s).',
    parse(text) {
      const ms = parseDurationMs(text);
      if (ms === undefined) return { error: `"${text}" is not a duration like 30s or 5m` };
      return ms >= 1000 ? ms : { error: `must be at least 1s, got ${text}` };
    },
  },
  resurrect: {
    default: 'true',
    description: 'Replace lost local machines and their units after resurrect-grace (true/false).',
    parse(text) {
      if (text === 'true') return 1;
      if (text === 'false') return 0;
      return { error: `must be true or false, got "${text}"` };
    },
  },
  'resurrect-grace': {
    default: '60s',
    description: 'How long a local machine stays lost before the resurrector replaces it.',
    parse(text) {
      const ms = parseDurationMs(text);
      if (ms === undefined) return { error: `"${text}" is not a duration like 30s or 5m` };
      return ms >= 1000 ? ms : { error: `must be at least 1s, got ${text}` };
    },
  },
  [STATUS_HISTORY_SIZE_KEY]: {
    default: String(STATUS_HISTORY_DEFAULT),
    description:
      'Status history entries kept per unit workload, unit agent, machine and the model.',
    parse(text) {
      const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
      if (Number.isInteger(n) && n >= 1 && n <= MAX_STATUS_HISTORY) return n;
      return { error: `must be a whole number from 1 to ${MAX_STATUS_HISTORY}, got "${text}"` };
    },
  },
  [CERTIFICATE_WARNING_KEY]: {
    default: '30d',
    description:
      'Status warns of a unit whose certificate expires within this long (e.g. 30d, 12h; 0d: only once expired).',
    parse(text) {
      const ms = parseDurationMs(text);
      return ms === undefined ? { error: `"${text}" is not a duration like 30d or 12h` } : ms;
    },
  },
  'rollout-canaries': rolloutSetting(
    'canaries',
    POLICY_DEFAULTS.canaries,
    'Units a rollout updates first, alone, before any batch.',
  ),
  'rollout-max-in-flight': rolloutSetting(
    'maxInFlight',
    POLICY_DEFAULTS.maxInFlight,
    'Units a rollout updates at once after the canaries: a number, or a percentage (100% is all at once).',
  ),
  'rollout-watch': rolloutSetting(
    'watch',
    POLICY_DEFAULTS.watch,
    'MIN-MAX: a rollout watches each unit at least MIN, and halts if it has not settled by MAX.',
  ),
};

/** Checks every pair; nothing is stored unless all are valid. */
export function checkModelConfig(values: Record<string, string>): void {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const setting = MODEL_SETTINGS[key];
    if (!setting) {
      problems.push(
        `unknown model setting "${key}"; known: ${Object.keys(MODEL_SETTINGS).join(', ')}`,
      );
      continue;
    }
    const parsed = setting.parse(value);
    if (typeof parsed !== 'number') problems.push(`${key}: ${parsed.error}`);
  }
  if (problems.length > 0) throw new ModelConfigError(problems.join('\n'));
}

/** The model's resurrector settings, defaults filling what is unset. */
export function resurrectorSettings(config: Record<string, string>): {
  enabled: boolean;
  graceMs: number;
} {
  const grace = MODEL_SETTINGS['resurrect-grace']?.parse(config['resurrect-grace'] ?? '60s');
  return {
    enabled: config['resurrect'] !== 'false',
    graceMs: typeof grace === 'number' ? grace : 60_000,
  };
}

/** How long before a certificate expires status warns of it (issue 17 item 3). */
export function certificateWarningMs(config: Record<string, string>): number {
  const setting = MODEL_SETTINGS[CERTIFICATE_WARNING_KEY];
  const parsed = setting?.parse(config[CERTIFICATE_WARNING_KEY] ?? setting.default);
  return typeof parsed === 'number' ? parsed : 30 * 86_400_000;
}

export function updateStatusIntervalMs(config: Record<string, string>): number {
  const setting = MODEL_SETTINGS['update-status-hook-interval'];
  const parsed = setting?.parse(config['update-status-hook-interval'] ?? setting.default);
  return typeof parsed === 'number' ? parsed : 5 * 60_000;
}

export interface ModelSettingView {
  value: string;
  source: 'default' | 'user';
  description: string;
}

/** Every model setting with its value and where the value comes from. */
export function modelConfigView(set: Record<string, string>): Record<string, ModelSettingView> {
  return Object.fromEntries(
    Object.entries(MODEL_SETTINGS).map(([key, s]) => [
      key,
      {
        value: set[key] ?? s.default,
        source: key in set ? ('user' as const) : ('default' as const),
        description: s.description,
      },
    ]),
  );
}
