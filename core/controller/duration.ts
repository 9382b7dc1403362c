// Durations as operators type them (`90s`, `5m`). Pure.

/** `90s`, `5m`, `1h`, `500ms` → milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2] ?? 's';
  return (
    Number(m[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000)
  );
}
