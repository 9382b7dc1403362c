// `rune status` as text: Juju's tabular sections, or the same data as YAML or JSON. Pure.
import { stringify } from 'yaml';
import type { StatusResponse } from '../controller/api.js';

export type StatusFormat = 'tabular' | 'yaml' | 'json';

/** Columns padded to their widest cell, two spaces apart, trailing blanks trimmed (as Juju). */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

const byNumber = (a: string, b: string) => Number(a) - Number(b);

export function formatStatus(status: StatusResponse, format: StatusFormat): string {
  if (format === 'json') return JSON.stringify(status);
  if (format === 'yaml') return stringify(status).trimEnd();
  const { model } = status;
  const lines = table([
    ['Model', 'Controller', 'Cloud/Region', 'Version'],
    [model.name, model.controller, model.cloud, model.version],
  ]);
  const ids = Object.keys(status.machines).sort(byNumber);
  if (ids.length > 0) {
    const rows = ids.map((id) => {
      const m = status.machines[id];
      if (!m) return [id];
      return [
        id,
        m['machine-status'].current,
        m['dns-name'],
        m['instance-id'],
        m.base,
        m['machine-status'].message,
      ];
    });
    lines.push(
      '',
      ...table([['Machine', 'State', 'Address', 'Inst-id', 'Base', 'Message'], ...rows]),
    );
  } else {
    lines.push('', 'Model "default" is empty.');
  }
  return lines.join('\n');
}
