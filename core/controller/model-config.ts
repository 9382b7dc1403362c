// Model-wide settings, Juju's model-config: their names, defaults and parsing. Pure.
import { RuneError } from '../model/errors.js';

export class ModelConfigError extends RuneError {
  readonly kind = 'user';
}

interface Setting {
  default: string;
  description: string;
  /** Parsed value, or the reason the text is not one. */
  parse(text: string): number | { error: string };
}

/** `90s`, `5m`, `1h`, `500ms` → milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2] ?? 's';
  return (
    Number(m[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000)
  );
}

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

export function updateStatusIntervalMs(config: Record<string, string>): number {
  const setting = MODEL_SETTINGS['update-status-hook-interval'];
  const parsed = setting?.parse(config['update-status-hook-interval'] ?? setting.default);
  return typeof parsed === 'number' ? parsed : 5 * 60_000;
}
