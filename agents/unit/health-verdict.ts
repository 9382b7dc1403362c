// Health checks between hooks (DESIGN §11), the pure half: when a unit's declared check is due,
// what one run says, and how verdicts move the unit's LocalState (a change of verdict makes
// update-status due) and its status. No I/O, no clock: health-checks.ts runs the checks.
import { applyCheckChanges, failingStatus } from '../../core/charm/checks.js';
import type {
  CharmServiceState,
  CheckChanges,
  DeclaredCheck,
  StatusSetting,
} from '../../core/charm/context-types.js';
import { type WorkloadStatus, workloadSeverity } from '../../core/model/status.js';
import type { LocalState } from './state.js';

/** LocalState after a hook's ctx.checks changes committed. */
export function declareChecks(local: LocalState, changes: CheckChanges | undefined): LocalState {
  if (changes === undefined) return local;
  const next: LocalState = { ...local, checks: applyCheckChanges(local.checks, changes) };
  if (Object.keys(next.checks ?? {}).length === 0) delete next.checks;
  return next;
}

/**
 * Whether the unit's checks may run: started and not stopping, nothing in flight, no failed
 * hook (its status says `error` until resolved, which no check may hide).
 */
export function checksMayRun(local: LocalState): boolean {
  return (
    local.started &&
    !local.stopped &&
    !local.removed &&
    local.inFlight === undefined &&
    local.failed === undefined &&
    Object.keys(local.checks ?? {}).length > 0
  );
}

/**
 * The checks due now: never run (by this agent), or their interval has passed since the last
 * run. A failing check is also due as soon as an update-status has started since it ran: that is
 * the reconcile its failure asked for, and whether it repaired is worth knowing at once.
 */
export function dueChecks(
  local: LocalState,
  lastRun: (check: string) => number | undefined,
  now: number,
): string[] {
  return Object.entries(local.checks ?? {})
    .filter(([name, check]) => {
      const last = lastRun(name);
      if (last === undefined || now - last >= check.spec.everyMs) return true;
      return check.failing !== undefined && (local.lastUpdateStatus ?? -Infinity) > last;
    })
    .map(([name]) => name)
    .sort();
}

export type Verdict = { ok: true } | { ok: false; detail: string };

const MAX_LINE = 160;

const clip = (line: string): string =>
  line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;

function lastLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines[lines.length - 1];
}

/** A command check's verdict: exit 0 passes; else the last line it printed (stderr first). */
export function commandVerdict(
  result: { code: number; stdout: string; stderr: string } | { timedOutMs: number },
): Verdict {
  if ('timedOutMs' in result) {
    return { ok: false, detail: `timed out after ${result.timedOutMs / 1000} s` };
  }
  if (result.code === 0) return { ok: true };
  const said = lastLine(result.stderr) ?? lastLine(result.stdout);
  return { ok: false, detail: clip(said ?? `exit status ${result.code}`) };
}

/**
 * What is wrong with a service, or undefined when it runs: not running, between two restarts
 * (no pid), or restarted since the last check (`seenRestarts`, the count the last run saw), so a
 * crash loop fails every run whatever its backoff.
 */
export function serviceProblem(
  state: CharmServiceState,
  seenRestarts: number | undefined,
): string | undefined {
  if (state.state === 'missing') return 'is not installed';
  if (state.state !== 'running') return `is ${state.state}`;
  if (state.pid === undefined) return 'is restarting';
  const restarts = state.restarts;
  if (seenRestarts !== undefined && restarts !== undefined && restarts > seenRestarts) {
    return 'restarted since the last check';
  }
  return undefined;
}

/** A log line without the timestamp most workloads start it with. */
const TIMESTAMP = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\s+/;

/**
 * A log line as a person reads it: a structured one (zap's, as etcd writes: `{"level":…,
 * "msg":…,"error":…}`) as `level msg: error`, which a clipped line of JSON would cut before the
 * error; a plain one without its leading timestamp.
 */
function readable(line: string): string {
  if (!line.startsWith('{')) return line.replace(TIMESTAMP, '');
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null) return line;
  const { level, msg, message, error, err } = entry as Record<string, unknown>;
  const said = typeof msg === 'string' ? msg : typeof message === 'string' ? message : undefined;
  if (said === undefined) return line;
  const why = typeof error === 'string' ? error : typeof err === 'string' ? err : undefined;
  return `${typeof level === 'string' ? `${level} ` : ''}${said}${why === undefined ? '' : `: ${why}`}`;
}

/** The last `lines` lines of the workload's own output: the supervisor's notes are left out
 * (the restart count and exit status say the same in fewer words). */
export function logTail(log: string, lines = 2): string[] {
  return log
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.includes('rune-supervise:'))
    .slice(-lines)
    .map((l) => clip(readable(l.trim())));
}

/** `service etcd is restarting (3 restarts, last exit 1): <log> | <log>` */
export function serviceDetail(
  name: string,
  problem: string,
  state: CharmServiceState,
  log: string,
): string {
  const facts = [
    ...(state.restarts === undefined
      ? []
      : [`${state.restarts} restart${state.restarts === 1 ? '' : 's'}`]),
    ...(state.exitCode === undefined ? [] : [`last exit ${state.exitCode}`]),
  ];
  const tail = logTail(log);
  return (
    `service ${name} ${problem}` +
    (facts.length > 0 ? ` (${facts.join(', ')})` : '') +
    (tail.length > 0 ? `: ${tail.join(' | ')}` : '')
  );
}

export interface Judged {
  local: LocalState;
  /** The workload status to set now; absent: leave it (a passing check lets the charm say). */
  status?: StatusSetting;
  /** A check changed verdict: update-status is due (LocalState.requeued is set). */
  trigger: boolean;
}

/**
 * Whether a check still failing asks for another reconcile: the last one did not repair (an
 * operator's stop can race it, a repair can need a peer first). A command that fails with
 * something new asks at once; otherwise the asks back off, after 2, 4, 8 and 16 failed runs and
 * then every 32nd, so a crash loop does not run a hook every interval and a fault is never left
 * to the five-minute update-status alone. A service's changing restart count is not news.
 */
function askAgain(check: DeclaredCheck, detail: string, failedRuns: number): boolean {
  if (detail !== check.failing && !('service' in check.spec)) return true;
  return failedRuns % 32 === 0 || (failedRuns & (failedRuns - 1)) === 0;
}

/**
 * Records the verdicts of the checks that ran. A check that starts or stops failing makes
 * update-status due, so the charm's reconcile repairs (or, after a pass, reports active again),
 * as does one that goes on failing (askAgain);
 * while checks fail, their status is set whenever what it says changes, unless the unit shows
 * something more severe (blocked).
 */
export function applyVerdicts(
  local: LocalState,
  verdicts: Readonly<Record<string, Verdict>>,
  current: WorkloadStatus,
): Judged {
  const before = local.checks ?? {};
  const checks: Record<string, DeclaredCheck> = { ...before };
  let trigger = false;
  for (const [name, verdict] of Object.entries(verdicts)) {
    const check = before[name];
    if (check === undefined) continue;
    if (verdict.ok) {
      if (check.failing !== undefined) trigger = true;
      checks[name] = { spec: check.spec };
      continue;
    }
    const failedRuns = check.failing === undefined ? 1 : (check.failedRuns ?? 1) + 1;
    if (check.failing === undefined || askAgain(check, verdict.detail, failedRuns)) trigger = true;
    checks[name] = { spec: check.spec, failing: verdict.detail, failedRuns };
  }
  const next: LocalState = { ...local, checks, ...(trigger ? { requeued: true } : {}) };
  const was = failingStatus(before);
  const now = failingStatus(checks);
  const judged: Judged = { local: next, trigger };
  if (
    now !== undefined &&
    now.message !== was?.message &&
    workloadSeverity(current) <= workloadSeverity(now.kind)
  ) {
    judged.status = now;
  }
  return judged;
}
