// Health checks a charm declares from its hooks (ctx.checks, DESIGN §11): what a spec may say,
// the hook's buffered declarations, and the status failing checks add to a hook's. Pure: the
// machine agent that runs the checks is agents/unit/health-checks.ts.
import type {
  CheckChanges,
  DeclaredCheck,
  HealthCheckSpec,
  HealthChecksView,
  StatusSetting,
} from './context-types.js';
import { HealthCheckSpecError } from './hook-errors.js';

export const CHECK_LIMITS = {
  minEveryMs: 1_000,
  maxEveryMs: 86_400_000,
  minTimeoutMs: 100,
  defaultTimeoutMs: 5_000,
} as const;

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Every problem with a declared check, as `field: problem` lines; empty when it can run. */
export function checkSpecIssues(name: string, spec: HealthCheckSpec): string[] {
  const issues: string[] = [];
  if (!NAME.test(name) || name.length > 64) {
    issues.push('name: must match [a-z0-9][a-z0-9-]* (at most 64 characters)');
  }
  const record = spec as unknown as Record<string, unknown>;
  const { everyMs } = spec as { everyMs: unknown };
  if (
    typeof everyMs !== 'number' ||
    !Number.isInteger(everyMs) ||
    everyMs < CHECK_LIMITS.minEveryMs ||
    everyMs > CHECK_LIMITS.maxEveryMs
  ) {
    issues.push(
      `everyMs: must be a whole number of milliseconds from ${CHECK_LIMITS.minEveryMs} to ` +
        `${CHECK_LIMITS.maxEveryMs}, got ${String(everyMs)}`,
    );
  }
  const hasCommand = 'command' in record;
  const hasService = 'service' in record;
  if (hasCommand === hasService) {
    issues.push('give either command (a shell command) or service (a service name), not both');
    return issues;
  }
  if (hasService) {
    const service = record.service;
    if (typeof service !== 'string' || !NAME.test(service)) {
      issues.push(`service: must be a service name ([a-z0-9][a-z0-9-]*), got ${String(service)}`);
    }
    return issues;
  }
  const { command, timeoutMs } = record;
  if (typeof command !== 'string' || command.trim() === '' || command.includes('\0')) {
    issues.push('command: must be a non-empty shell command without NUL bytes');
  }
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== 'number' ||
      !Number.isInteger(timeoutMs) ||
      timeoutMs < CHECK_LIMITS.minTimeoutMs ||
      (typeof everyMs === 'number' && timeoutMs > everyMs))
  ) {
    issues.push(
      `timeoutMs: must be a whole number of milliseconds from ${CHECK_LIMITS.minTimeoutMs} to ` +
        `everyMs, got ${JSON.stringify(timeoutMs)}`,
    );
  }
  return issues;
}

/** How long a command check may run before it counts as failed. */
export function checkTimeoutMs(spec: HealthCheckSpec): number {
  if (!('command' in spec)) return CHECK_LIMITS.defaultTimeoutMs;
  return spec.timeoutMs ?? Math.min(CHECK_LIMITS.defaultTimeoutMs, spec.everyMs);
}

/** Only the fields a spec has, in one order: what is stored, and what "unchanged" compares. */
function canonical(spec: HealthCheckSpec): HealthCheckSpec {
  if ('service' in spec) return { service: spec.service, everyMs: spec.everyMs };
  return {
    command: spec.command,
    everyMs: spec.everyMs,
    ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }),
  };
}

export const sameSpec = (a: HealthCheckSpec, b: HealthCheckSpec): boolean =>
  JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** The declared checks after `changes`: a new or changed spec has no verdict yet. */
export function applyCheckChanges(
  checks: Readonly<Record<string, DeclaredCheck>> | undefined,
  changes: CheckChanges | undefined,
): Record<string, DeclaredCheck> {
  const out: Record<string, DeclaredCheck> = { ...checks };
  for (const [name, spec] of Object.entries(changes?.set ?? {})) out[name] = { spec };
  for (const name of changes?.removed ?? []) delete out[name];
  return out;
}

/**
 * The status failing checks stand for, or undefined when none fails: `maintenance`, since the
 * agent has asked the charm to repair. A service check speaks first (it carries the restart
 * count and the log), then names in order; the others are named after it.
 */
export function failingStatus(
  checks: Readonly<Record<string, DeclaredCheck>> | undefined,
): StatusSetting | undefined {
  const failing = Object.entries(checks ?? {})
    .filter((entry): entry is [string, DeclaredCheck & { failing: string }] => {
      return entry[1].failing !== undefined;
    })
    .sort(([a, x], [b, y]) => {
      const services = Number('service' in y.spec) - Number('service' in x.spec);
      return services !== 0 ? services : a < b ? -1 : a > b ? 1 : 0;
    });
  const first = failing[0];
  if (first === undefined) return undefined;
  const others = failing.slice(1).map(([name]) => name);
  const also = others.length > 0 ? ` (also failing: ${others.join(', ')})` : '';
  return {
    kind: 'maintenance',
    message: `health check ${first[0]} failed: ${first[1].failing}${also}`,
  };
}

/** ctx.checks for one hook: declarations buffered until the hook's outcome is collected. */
export class CheckDeclarations {
  private readonly pending = new Map<string, HealthCheckSpec | 'removed'>();

  constructor(
    private readonly unit: string,
    private readonly before: Readonly<Record<string, DeclaredCheck>>,
    /** Throws once the hook has finished. */
    private readonly guard: (what: string) => void,
  ) {}

  view(): HealthChecksView {
    return {
      set: (name, check) => {
        this.guard(`health check "${name}"`);
        const issues = checkSpecIssues(name, check);
        if (issues.length > 0) throw new HealthCheckSpecError(this.unit, name, issues);
        this.pending.set(name, canonical(check));
      },
      remove: (name) => {
        this.guard(`health check removal "${name}"`);
        this.pending.set(name, 'removed');
      },
      failing: () =>
        Object.fromEntries(
          Object.entries(this.before).flatMap(([name, c]) =>
            c.failing === undefined ? [] : [[name, c.failing] as const],
          ),
        ),
    };
  }

  /** Net changes against the checks the hook started with; undefined when there are none. */
  changes(): CheckChanges | undefined {
    const set: Record<string, HealthCheckSpec> = {};
    const removed: string[] = [];
    for (const name of [...this.pending.keys()].sort()) {
      const next = this.pending.get(name);
      const was = this.before[name];
      if (next === 'removed') {
        if (was !== undefined) removed.push(name);
      } else if (next !== undefined && (was === undefined || !sameSpec(was.spec, next))) {
        set[name] = next;
      }
    }
    if (Object.keys(set).length === 0 && removed.length === 0) return undefined;
    return { set, removed };
  }

  /** The checks as this hook leaves them: what a status collected now must account for. */
  after(): Record<string, DeclaredCheck> {
    return applyCheckChanges(this.before, this.changes());
  }
}
