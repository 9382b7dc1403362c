// Drives every unit agent in the controller (DESIGN §2, §6): level-triggered passes over the
// model — leaders and subordinates first, then each unit stepped until it has nothing to do.
// Units run concurrently; the machine lock keeps one hook at a time per machine. A pass runs
// when woken (a commit, an API change) and on a slow tick (retries, update-status).
import { stepUnit, type UnitRuntimeDeps } from '../../agents/unit/runtime.js';
import type { Store } from '../store/types.js';
import { collectDead, ensureLeaders, ensureSubordinates } from './unit-reconcile.js';

export interface UnitRunnerOptions {
  tickMs?: number;
  /** Called with each error a unit's step threw (not a hook failure: those are unit state). */
  onError?(unit: string, error: unknown): void;
}

export class UnitRunner {
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly deps: UnitRuntimeDeps,
    private readonly options: UnitRunnerOptions = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.tickMs ?? 1000);
    this.wake();
  }

  /** Asks for a pass soon; passes never overlap, and a wake during one causes another. */
  wake(): void {
    if (this.stopped) return;
    if (this.passing) {
      this.again = true;
      return;
    }
    this.passing = this.pass().finally(() => {
      this.passing = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Resolves when no unit is mid-step (for tests and shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.passing;
    await Promise.all(this.running.values());
  }

  private async pass(): Promise<void> {
    collectDead(this.store);
    ensureSubordinates(this.store);
    ensureLeaders(this.store);
    const machines = new Set(this.store.machines().map((m) => m.id));
    for (const unit of this.store.units()) {
      // A unit waits for its machine (DESIGN §8: "waiting for machine").
      if (!machines.has(unit.machine) || this.running.has(unit.name)) continue;
      this.running.set(
        unit.name,
        this.drive(unit.name).finally(() => this.running.delete(unit.name)),
      );
    }
    return Promise.resolve();
  }

  private async drive(name: string): Promise<void> {
    try {
      for (let steps = 0; !this.stopped && steps < 1000; steps++) {
        const result = await stepUnit(name, this.deps);
        if (result !== 'ran' && result !== 'skipped') return;
        // A commit may have changed what other units see: let them look again.
        this.again = true;
        this.wake();
      }
    } catch (e) {
      this.options.onError?.(name, e);
    }
  }
}
