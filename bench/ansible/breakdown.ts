// Where a timed deploy's time went, from the hook log (`rune debug-log --replay --format json`):
// the command to the first hook, the hooks themselves (summed, and the wall time during which at
// least one ran), and the last hook to healthy. Pure: timestamps in, figures out.

export interface HookRun {
  unit: string;
  hook: string;
  /** Epoch ms. */
  started: number;
  ended: number;
}

export interface HookNameFigure {
  hook: string;
  count: number;
  sumMs: number;
  maxMs: number;
}

export interface Breakdown {
  /** The command started → the controller received the deploy, when known. */
  toReceivedMs: number | undefined;
  /** The command started → the controller had applied the deploy's plan (and answered). */
  toAppliedMs: number | undefined;
  /** The command started → the first hook started. */
  toFirstHookMs: number;
  hooks: number;
  /** Every hook's duration added up: the work, whatever ran in parallel. */
  hookSumMs: number;
  /** First hook start → last hook end: wall time with at least one hook running... */
  hookBusyMs: number;
  /** ...and with none running (waiting on the runner, a lock, a relation's data). */
  hookIdleMs: number;
  /** The last hook ended → healthy from the host. */
  afterLastHookMs: number;
  /** The chain of hooks that ended last, each preceded by the hook that ended latest before it
   * started (what it most likely waited for): the deploy's critical path, approximately. */
  criticalPath: (HookRun & { ms: number })[];
  /** Hooks by name, the costliest (by sum) first. */
  byName: HookNameFigure[];
  /** The single slowest hooks, slowest first. */
  slowest: (HookRun & { ms: number })[];
}

interface LoggedHook {
  unit?: unknown;
  hook?: unknown;
  started?: unknown;
  ended?: unknown;
}

/** debug-log's json lines → the hooks that ended; other lines are skipped. */
export function parseHookLog(text: string): HookRun[] {
  const runs: HookRun[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as LoggedHook;
    if (typeof e.unit !== 'string' || typeof e.hook !== 'string') continue;
    if (typeof e.started !== 'string' || typeof e.ended !== 'string') continue;
    runs.push({
      unit: e.unit,
      hook: e.hook,
      started: Date.parse(e.started),
      ended: Date.parse(e.ended),
    });
  }
  return runs;
}

/** Total length of the union of [start, end] intervals. */
function covered(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let from = -Infinity;
  let to = -Infinity;
  for (const [s, e] of sorted) {
    if (s > to) {
      if (to > from) total += to - from;
      from = s;
      to = e;
    } else if (e > to) to = e;
  }
  if (to > from) total += to - from;
  return total;
}

/** From the hook that ended last, back through the hook that ended latest before each started. */
function chainBack(runs: readonly HookRun[]): (HookRun & { ms: number })[] {
  const byEnd = [...runs].sort((a, b) => a.ended - b.ended || a.started - b.started);
  const chain: (HookRun & { ms: number })[] = [];
  let at = byEnd.length - 1;
  while (at >= 0) {
    const h = byEnd[at] as HookRun;
    chain.push({ ...h, ms: h.ended - h.started });
    // The latest end at or before this start (ends are sorted, so search down from here).
    let next = at - 1;
    while (next >= 0 && (byEnd[next] as HookRun).ended > h.started) next -= 1;
    at = next;
  }
  return chain.reverse();
}

export function breakdown(input: {
  commandAt: number;
  receivedAt: number | undefined;
  appliedAt?: number | undefined;
  healthyAt: number;
  hooks: readonly HookRun[];
  slowest?: number;
}): Breakdown {
  const { commandAt, healthyAt, hooks } = input;
  // Hooks from before the command (none on a fresh controller) are not its work.
  const runs = hooks.filter((h) => h.started >= commandAt);
  const firstStart = Math.min(...runs.map((h) => h.started));
  const lastEnd = Math.max(...runs.map((h) => h.ended));
  const busy = covered(runs.map((h) => [h.started, h.ended]));
  const names = new Map<string, HookNameFigure>();
  for (const h of runs) {
    const ms = h.ended - h.started;
    const f = names.get(h.hook) ?? { hook: h.hook, count: 0, sumMs: 0, maxMs: 0 };
    names.set(h.hook, {
      ...f,
      count: f.count + 1,
      sumMs: f.sumMs + ms,
      maxMs: Math.max(f.maxMs, ms),
    });
  }
  const empty = runs.length === 0;
  return {
    toReceivedMs: input.receivedAt === undefined ? undefined : input.receivedAt - commandAt,
    toAppliedMs: input.appliedAt === undefined ? undefined : input.appliedAt - commandAt,
    toFirstHookMs: empty ? healthyAt - commandAt : firstStart - commandAt,
    hooks: runs.length,
    hookSumMs: runs.reduce((sum, h) => sum + h.ended - h.started, 0),
    hookBusyMs: busy,
    hookIdleMs: empty ? 0 : lastEnd - firstStart - busy,
    afterLastHookMs: empty ? 0 : healthyAt - lastEnd,
    criticalPath: chainBack(runs),
    byName: [...names.values()].sort((a, b) => b.sumMs - a.sumMs || (a.hook < b.hook ? -1 : 1)),
    slowest: runs
      .map((h) => ({ ...h, ms: h.ended - h.started }))
      .sort((a, b) => b.ms - a.ms || a.started - b.started)
      .slice(0, input.slowest ?? 5),
  };
}
