// `--wait` and `wait-for`: check the controller's status until every unit is idle (exit 0) or
// one is in error (exit 1), printing each unit's status as it changes (live progress). Between
// checks it waits on the controller's /changes long-poll, so it notices a settled model at once.
// A controller lost mid-wait is brought back (`reconnect`) and the wait goes on (issue 15 item 8).
import { setTimeout as delay } from 'node:timers/promises';
import type { ApiClient } from '../controller/api-client.js';
import type { StatusResponse, UnitStatusView } from '../controller/api.js';
import { ControllerUnreachableError } from '../controller/errors.js';
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

/** The longest one wait for a change lasts: a change the event bus missed (or a controller too
 * old to have /changes) costs at most this. */
const MAX_CHANGE_WAIT_MS = 1000;
/** The least time between two checks: a busy model changes many times a second, and each check
 * costs a status (and a pending()) on both sides; at 20 checks a second a deploy's --wait used
 * more CPU than the controller it waited on (1.6 s of 7 on a 2-core host). */
const MIN_CHECK_GAP_MS = 250;

/**
 * Waits until the units (of one application, if given) have all run their hooks and are idle,
 * or until one is in error. `requireActive` (wait-for) also wants every workload active.
 */
export async function waitForUnits(
  client: ApiClient,
  io: Io,
  options: {
    timeoutMs: number;
    application?: string;
    requireActive?: boolean;
    /** Overrides MAX_CHANGE_WAIT_MS (tests). */
    maxChangeWaitMs?: number;
    /**
     * Brings back a controller that went away mid-wait (killed; controller-access's `reach`
     * starts it again): the restarted one carries the work on, so the wait goes on too.
     */
    reconnect?: () => Promise<void>;
  },
): Promise<Settled> {
  const seen = new Map<string, string>();
  const maxWaitMs = options.maxChangeWaitMs ?? MAX_CHANGE_WAIT_MS;
  // The generation a check's reads are at least as new as: each wait asks for a newer one, so
  // a change made while a check was reading ends the wait after it at once. -1: not known yet.
  let generation = -1;
  let lastCheck = 0;
  const pause = async (ms: number, signal?: AbortSignal) => {
    const until = Date.now() + Math.min(ms, maxWaitMs);
    const gap = Math.min(lastCheck + MIN_CHECK_GAP_MS, until) - Date.now();
    if (gap > 0) await delay(gap, undefined, { signal });
    try {
      const left = Math.max(until - Date.now(), 0);
      generation = (await client.waitForChange(generation, left)).generation;
    } catch {
      // The check says what is wrong if the controller is; here it is enough to wait as a poll.
      signal?.throwIfAborted();
      await delay(Math.max(until - Date.now(), 0), undefined, { signal });
    }
  };
  const told = new Set<string>();
  const recovering = async (e: unknown): Promise<never> => {
    if (options.reconnect && e instanceof ControllerUnreachableError) {
      // A new process: its generations start again.
      generation = -1;
      await options.reconnect().catch((problem: unknown) => {
        // Silent (stopped, hung) or not starting: said once, and waited on until the timeout,
        // as it may come back (SIGCONT).
        const line = problem instanceof Error ? problem.message : String(problem);
        if (!told.has(line)) io.err(`rune: ${line}\n(still waiting)`);
        told.add(line);
      });
    }
    throw e;
  };
  return waitFor(
    options.application ? `the units of ${options.application} to settle` : 'every unit to settle',
    () => check().catch(recovering),
    // The interval only bounds each pause; the pause itself ends early on a change.
    { timeoutMs: options.timeoutMs, intervalMs: maxWaitMs, pause },
  );

  async function check(): Promise<Settled | undefined> {
    lastCheck = Date.now();
    if (generation === -1) {
      // Failing here is no reason to fail the check: the waits then fall back to the cap.
      generation = await client.waitForChange(-1, 0).then(
        (r) => r.generation,
        () => -1,
      );
    }
    // No SSH round trip to every machine each time, only the model's units.
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
    if (!units.every(([, u]) => u['agent-status'].current === 'idle')) return undefined;
    const active = units.every(([, u]) => u['workload-status'].current === 'active');
    if (options.requireActive && !active) return undefined;
    // Idle right now is not settled: a commit may have left another unit a hook to run.
    const due = await client.pending();
    const pending = due.units.filter((u) =>
      options.application === undefined ? true : u.split('/')[0] === options.application,
    );
    return !due.deploying && pending.length === 0 ? ('idle' as const) : undefined;
  }
}

/** `10m`, `90s`, `500ms`, or plain seconds. */
export function parseDuration(text: string): number | undefined {
  return parseDurationMs(/^\d+(\.\d+)?$/.test(text.trim()) ? `${text.trim()}s` : text);
}
