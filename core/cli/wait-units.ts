// `--wait` and `wait-for`: poll the controller's status until every unit is idle (exit 0) or
// one is in error (exit 1), printing each unit's status as it changes (live progress).
import type { ApiClient } from '../controller/api-client.js';
import type { StatusResponse, UnitStatusView } from '../controller/api.js';
import { parseDurationMs } from '../controller/model-config.js';
import { waitFor } from '../controller/wait-for.js';
import type { Io } from './io.js';

function flatten(status: StatusResponse, only?: string): [string, UnitStatusView][] {
  const out: [string, UnitStatusView][] = [];
  const visit = (name: string, unit: UnitStatusView) => {
    out.push([name, unit]);
    for (const [sub, view] of Object.entries(unit.subordinates ?? {})) visit(sub, view);
  };
  for (const [app, view] of Object.entries(status.applications ?? {})) {
    if (only !== undefined && app !== only) continue;
    for (const [name, unit] of Object.entries(view.units ?? {})) visit(name, unit);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export type Settled = 'idle' | 'error';

/**
 * Waits until the units (of one application, if given) have all run their hooks and are idle,
 * or until one is in error. `requireActive` (wait-for) also wants every workload active.
 */
export async function waitForUnits(
  client: ApiClient,
  io: Io,
  options: { timeoutMs: number; application?: string; requireActive?: boolean },
): Promise<Settled> {
  const seen = new Map<string, string>();
  return waitFor(
    options.application ? `the units of ${options.application} to settle` : 'every unit to settle',
    async () => {
      // Polling: no SSH round trip to every machine each time, only the model's units.
      const units = flatten(await client.status(false), options.application);
      for (const [name, u] of units) {
        const line = `${name}: ${u['workload-status'].current}, ${u['agent-status'].current}${u['workload-status'].message ? ` — ${u['workload-status'].message}` : ''}`;
        if (seen.get(name) !== line) {
          seen.set(name, line);
          io.err(line);
        }
      }
      if (units.some(([, u]) => u['workload-status'].current === 'error')) return 'error' as const;
      if (units.length === 0) return undefined;
      // Idle right now is not settled: a commit may have left another unit a hook to run.
      const due = await client.pending();
      const pending = due.units.filter((u) =>
        options.application === undefined ? true : u.split('/')[0] === options.application,
      );
      const idle =
        !due.deploying &&
        pending.length === 0 &&
        units.every(([, u]) => u['agent-status'].current === 'idle');
      const active = units.every(([, u]) => u['workload-status'].current === 'active');
      return idle && (!options.requireActive || active) ? ('idle' as const) : undefined;
    },
    { timeoutMs: options.timeoutMs, intervalMs: 200 },
  );
}

/** `10m`, `90s`, `500ms`, or plain seconds. */
export function parseDuration(text: string): number | undefined {
  return parseDurationMs(/^\d+(\.\d+)?$/.test(text.trim()) ? `${text.trim()}s` : text);
}
