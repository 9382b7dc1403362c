// Drives every unit agent in the controller (DESIGN §2, §6): level-triggered passes over the
// model — leaders and subordinates first, then the units that may have work stepped until they
// have none. Units run concurrently; the machine lock keeps one hook at a time per machine.
// A commit marks only the units that can see it (the other side of each relation it wrote, or
// the peers); changes from the API, a removal, and a slow full pass mark every unit. The unit
// agents themselves arrive injected (UnitAgents): the composition root wires agents/unit in.
import type { BagChange } from '../model/types.js';
import type { Store, UnitIndexEntry } from '../store/types.js';
import { ensureLeaders } from './leadership.js';
import { placeWaitingUnits } from './placement.js';
import { collectDead, ensureSubordinates } from './unit-reconcile.js';

/** What one step of a unit agent did. */
export type StepResult = 'ran' | 'skipped' | 'idle' | 'wait-retry' | 'done' | 'missing';

/** The unit agents as the runner drives them. */
export interface UnitAgents {
  /** Runs the unit's next operation, if any. */
  step(unit: string): Promise<StepResult>;
  /** Whether the unit entered the relation and has not yet run its -broken hook: a dying
   * relation stays until no unit is in it. */
  inRelation(unit: string, relationId: number): boolean;
  now(): number;
  /** Read on every pass, so `rune model-config` takes effect without a restart. */
  readonly updateStatusIntervalMs: number;
}

export interface UnitRunnerOptions {
  tickMs?: number;
  /** Every unit is looked at this often even when nothing marked it (update-status, retries). */
  fullPassMs?: number;
  /** Whether a unit's agent can act now (its machine reachable): a leader that cannot is not
   * renewed, and its lease lapses to one that can. */
  canLead?: (unit: UnitIndexEntry) => boolean;
  /** Called with each error a unit's step threw (not a hook failure: those are unit state). */
  onError?(unit: string, error: unknown): void;
  /** Runs at the start of every pass (rollouts advance here); true when units may have new
   * work that no commit announced. */
  onPass?(now: number): boolean;
}

export class UnitRunner {
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private allDirty = true;
  private lastFullPass = 0;
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly agents: UnitAgents,
    private readonly options: UnitRunnerOptions = {},
  ) {}

  /** An operation's outcome was committed: the units that can see what it changed look again. */
  committed(unit: string, relations: readonly BagChange[], leaderSettings: boolean): void {
    this.markRelations(unit.slice(0, unit.indexOf('/')), relations);
    if (leaderSettings) this.markApplication(unit.slice(0, unit.indexOf('/')));
  }

  start(): void {
    this.timer = setInterval(() => {
      // Often enough for update-status at its configured interval, at most every 30 s.
      const every = Math.min(this.options.fullPassMs ?? 30_000, this.agents.updateStatusIntervalMs);
      const due = this.agents.now() - this.lastFullPass >= every;
      if (due) this.wake();
      else this.schedule();
    }, this.options.tickMs ?? 1000);
    this.wake();
  }

  /** The model changed in ways a commit does not say (API requests): look at every unit. */
  wake(): void {
    this.allDirty = true;
    this.schedule();
  }

  /** Resolves when no unit is mid-step (for tests and shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.passing;
    await Promise.all(this.running.values());
  }

  /**
   * A unit of `application` wrote bags of these relations: the units that read them look again.
   * Those are the other side's, or the peers' in a peer relation; its own application's units in
   * a regular relation read only the other side (with 300 workers, waking every worker on each
   * worker's commit made the runner's passes quadratic). A change addressed to some units marks
   * those alone.
   */
  private markRelations(application: string, changes: readonly BagChange[]): void {
    if (changes.length === 0) return;
    const relationIds: number[] = [];
    for (const change of changes) {
      if (change.readers === undefined) relationIds.push(change.relationId);
      else for (const reader of change.readers) this.dirty.add(reader);
    }
    const apps = new Set(
      this.store
        .relations()
        .filter((r) => relationIds.includes(r.id))
        .flatMap((r) =>
          r.endpoints
            .filter((e) => r.endpoints.length === 1 || e.application !== application)
            .map((e) => e.application),
        ),
    );
    if (apps.size > 0)
      for (const u of this.store.unitIndex()) if (apps.has(u.application)) this.dirty.add(u.name);
    this.schedule();
  }

  private markApplication(application: string): void {
    for (const u of this.store.unitIndex())
      if (u.application === application) this.dirty.add(u.name);
    this.schedule();
  }

  /** Passes never overlap; a request during one causes another. */
  private schedule(): void {
    if (this.stopped) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    this.passing = this.pass().finally(() => {
      this.passing = undefined;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    });
  }

  private pass(): Promise<void> {
    collectDead(this.store, (unit, id) => this.agents.inRelation(unit, id));
    placeWaitingUnits(this.store);
    ensureSubordinates(this.store);
    const now = this.agents.now();
    const leaders = ensureLeaders(this.store, {
      now,
      ...(this.options.canLead ? { canLead: this.options.canLead } : {}),
    });
    if (leaders.length > 0) this.allDirty = true;
    if (this.options.onPass?.(now) === true) this.allDirty = true;
    const all = this.allDirty;
    if (all) this.lastFullPass = now;
    const marked = new Set(this.dirty);
    this.allDirty = false;
    this.dirty.clear();
    // A failed hook's retry comes due by the clock, not by a commit.
    for (const name of this.store.unitsDueForRetry(now)) marked.add(name);
    const machines = new Set(this.store.machineIds());
    for (const unit of this.store.unitIndex()) {
      if (!all && !marked.has(unit.name)) continue;
      // A unit waits for its machine (DESIGN §8: "waiting for machine").
      if (!machines.has(unit.machine)) continue;
      if (this.running.has(unit.name)) {
        // Mid-step: it may have read the model before this change, so look again after.
        this.dirty.add(unit.name);
        continue;
      }
      this.running.set(
        unit.name,
        this.drive(unit.name).finally(() => {
          this.running.delete(unit.name);
          if (this.dirty.has(unit.name)) this.schedule();
        }),
      );
    }
    return Promise.resolve();
  }

  private async drive(name: string): Promise<void> {
    try {
      for (let steps = 0; !this.stopped && steps < 1000; steps++) {
        const result = await this.agents.step(name);
        if (result === 'done') this.wake(); // its departure changes what others see
        if (result !== 'ran' && result !== 'skipped') return;
      }
    } catch (e) {
      this.options.onError?.(name, e);
    }
  }
}
