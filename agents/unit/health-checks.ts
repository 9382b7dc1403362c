// The machine agent's health checks (DESIGN §11, issue 15 A3): every declared check runs on its
// unit's machine at its interval, over the machine's session, between hooks: only while nobody
// holds the machine lock, and holding it meanwhile, so a hook never runs beside a check and a
// check's commit never races a hook's. Verdicts are applied by health-verdict.ts.
import type { CharmMachine } from '../../core/charm/context-types.js';
import { checkTimeoutMs } from '../../core/charm/checks.js';
import type { HealthCheckSpec } from '../../core/charm/context-types.js';
import { redact } from '../../core/model/redact.js';
import type { Store } from '../../core/store/types.js';
import { CommandTimeoutError } from '../machine/errors.js';
import {
  type Verdict,
  applyVerdicts,
  checksMayRun,
  commandVerdict,
  dueChecks,
  serviceDetail,
  serviceProblem,
} from './health-verdict.js';
import type { LocalState } from './state.js';

/** What a check needs of the unit's machine. */
export type CheckMachine = Pick<CharmMachine, 'run'> & {
  services: Pick<CharmMachine['services'], 'status' | 'logs'>;
};

export interface HealthCheckDeps {
  store: Store;
  /** The machine lock hooks take (DESIGN §5). */
  lock: {
    isHeld(machine: string): boolean;
    acquire(machine: string): Promise<() => void>;
  };
  machine: (id: string) => Promise<CheckMachine>;
  /** Whether the machine answers its probes: checks on a lost one would only time out. */
  reachable: (machine: string) => boolean;
  now: () => number;
  /** A check of `unit` changed verdict: it has update-status due, for its runner to step. */
  onTrigger: (unit: string) => void;
  /** The controller's log: each change of verdict, so an operator can tell when. */
  log?: (line: string) => void;
  /** How often due checks are looked for; default 1 s. */
  tickMs?: number;
  /** Whether the owner calls written(unit) on every write of a unit's runtime: then a unit
   * seen without checks is not read again until one (at 10,000 units, reading every unit's
   * runtime every second was a tenth of an idle controller's CPU). */
  toldOfWrites?: boolean;
}

/** How many log lines a failing service check reads to find the workload's last words. */
const LOG_LINES = 20;

interface DueUnit {
  unit: string;
  checks: string[];
}

export class HealthChecks {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** `unit check` → when it last started (this process's runs: a restart runs every check). */
  private readonly lastRun = new Map<string, number>();
  /** `unit check` → the restart count a service check last saw. */
  private readonly restarts = new Map<string, number>();
  /** Machines with checks running now: one run per machine at a time. */
  private readonly busy = new Set<string>();
  private readonly runs = new Set<Promise<void>>();
  /** Units whose runtime, when last read, declared no checks (toldOfWrites only). */
  private readonly withoutChecks = new Set<string>();

  constructor(private readonly deps: HealthCheckDeps) {}

  /** The unit's runtime was written: its checks may have changed. */
  written(unit: string): void {
    this.withoutChecks.delete(unit);
  }

  start(): void {
    this.timer = setInterval(() => {
      // A tick that throws (a store closing under it) must not end the controller.
      this.tick().catch((e: unknown) => this.deps.log?.(`health checks: ${errorText(e)}`));
    }, this.deps.tickMs ?? 1_000);
    this.timer.unref();
  }

  /** Resolves once no check runs. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.runs);
  }

  /** Starts the due checks on every free machine; resolves when those are done. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    const { store, reachable } = this.deps;
    const now = this.deps.now();
    const byMachine = new Map<string, DueUnit[]>();
    const units = store.unitIndex();
    this.forgetGone(new Set(units.map((u) => u.name)));
    for (const unit of units) {
      if (unit.life !== 'alive' || unit.machine === '') continue;
      if (this.withoutChecks.has(unit.name)) continue;
      const local = store.unitRuntime(unit.name)?.localState as LocalState | undefined;
      if (this.deps.toldOfWrites && Object.keys(local?.checks ?? {}).length === 0)
        this.withoutChecks.add(unit.name);
      if (local === undefined || !checksMayRun(local)) continue;
      const checks = dueChecks(local, (check) => this.lastRun.get(key(unit.name, check)), now);
      if (checks.length === 0) continue;
      const list = byMachine.get(unit.machine) ?? [];
      list.push({ unit: unit.name, checks });
      byMachine.set(unit.machine, list);
    }
    const started: Promise<void>[] = [];
    for (const [machine, units] of byMachine) {
      // Between hooks only: a machine whose lock is taken is running one (or about to).
      if (this.busy.has(machine) || this.deps.lock.isHeld(machine)) continue;
      if (!reachable(machine)) continue;
      const run = this.runMachine(machine, units).finally(() => this.runs.delete(run));
      this.runs.add(run);
      started.push(run);
    }
    await Promise.all(started);
  }

  private async runMachine(machine: string, units: readonly DueUnit[]): Promise<void> {
    this.busy.add(machine);
    const release = await this.deps.lock.acquire(machine);
    try {
      const remote = await this.deps.machine(machine);
      for (const due of units) await this.runUnit(due, remote);
    } catch (e) {
      // Not a verdict on any workload: a machine that stopped answering is the health
      // monitor's to report (its units show lost), and its checks run again next interval.
      this.deps.log?.(`health checks on machine ${machine}: ${errorText(e)}`);
    } finally {
      release();
      this.busy.delete(machine);
    }
  }

  private async runUnit(due: DueUnit, remote: CheckMachine): Promise<void> {
    const { store } = this.deps;
    // Read again under the lock: a hook that ended meanwhile may have changed the checks.
    const unit = store.unit(due.unit);
    const local = store.unitRuntime(due.unit)?.localState as LocalState | undefined;
    if (unit === undefined || local === undefined || !checksMayRun(local)) return;
    const verdicts: Record<string, Verdict> = {};
    for (const name of due.checks) {
      const check = local.checks?.[name];
      if (check === undefined) continue;
      this.lastRun.set(key(due.unit, name), this.deps.now());
      // A check the machine could not be asked gives no verdict either way (a lost session is
      // the health monitor's to report); it runs again at its next interval.
      const verdict = await this.runCheck(key(due.unit, name), check.spec, remote).catch(
        () => undefined,
      );
      if (verdict !== undefined) verdicts[name] = verdict;
    }
    const judged = applyVerdicts(local, verdicts, unit.workloadStatus.current);
    if (JSON.stringify(judged.local) === JSON.stringify(local) && !judged.status) return;
    const at = new Date(this.deps.now()).toISOString();
    store.transaction(() => {
      store.setUnitRuntime(due.unit, { localState: judged.local });
      if (judged.status) {
        const { kind, message } = judged.status;
        store.setUnitStatus(due.unit, { workloadStatus: { current: kind, message, since: at } });
      }
    });
    if (!judged.trigger) return;
    for (const [name, check] of Object.entries(judged.local.checks ?? {})) {
      const was = local.checks?.[name];
      if (was?.failing === check.failing && was?.failedRuns === check.failedRuns) continue;
      this.deps.log?.(
        check.failing === undefined
          ? `${due.unit}: health check ${name} passes again`
          : was?.failing === check.failing
            ? `${due.unit}: health check ${name} still fails (${check.failedRuns} runs), ` +
              `asking for another reconcile: ${check.failing}`
            : `${due.unit}: health check ${name} failed: ${check.failing}`,
      );
    }
    this.deps.onTrigger(due.unit);
  }

  /** One run: a command's exit status or timeout, a service's state; throws what asking threw. */
  private async runCheck(
    id: string,
    spec: HealthCheckSpec,
    remote: CheckMachine,
  ): Promise<Verdict> {
    if ('service' in spec) {
      const state = await remote.services.status(spec.service);
      const problem = serviceProblem(state, this.restarts.get(id));
      if (state.restarts !== undefined) this.restarts.set(id, state.restarts);
      if (problem === undefined) return { ok: true };
      const log = await remote.services.logs(spec.service, LOG_LINES).catch(() => '');
      return { ok: false, detail: redact(serviceDetail(spec.service, problem, state, log)) };
    }
    const timeoutMs = checkTimeoutMs(spec);
    try {
      const result = await remote.run(spec.command, { timeoutMs });
      const verdict = commandVerdict({
        code: result.code,
        stdout: result.stdout.toString('utf8'),
        stderr: result.stderr.toString('utf8'),
      });
      return verdict.ok ? verdict : { ok: false, detail: redact(verdict.detail) };
    } catch (error) {
      if (error instanceof CommandTimeoutError) return commandVerdict({ timedOutMs: timeoutMs });
      throw error;
    }
  }

  /** Drops what this agent remembers of units no longer in the model. */
  private forgetGone(units: ReadonlySet<string>): void {
    for (const unit of this.withoutChecks) if (!units.has(unit)) this.withoutChecks.delete(unit);
    for (const memory of [this.lastRun, this.restarts]) {
      for (const id of memory.keys())
        if (!units.has(id.slice(0, id.indexOf(' ')))) memory.delete(id);
    }
  }
}

const key = (unit: string, check: string): string => `${unit} ${check}`;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
