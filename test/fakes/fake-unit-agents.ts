// FAKE unit agents for the unit runner's tests (core/controller/unit-runner.ts). What they do NOT
// model: hooks, the machine lock, relation data, leadership hooks, the retry backoff; the clock
// is Date.now (the tests fake it).
import type { StepResult, UnitAgents } from '../../core/controller/unit-runner.js';

/** Each step is recorded and answers from a per-unit script ('idle' once the script is used
 * up), at once unless the test holds that unit. */
export class FakeUnitAgents implements UnitAgents {
  readonly steps: string[] = [];
  /** What the next steps of a unit return (an Error is thrown), in order. */
  readonly script = new Map<string, (StepResult | Error)[]>();
  /** `unit#relationId` for each relation a unit is in (entered and not yet broken). */
  readonly inside = new Set<string>();
  updateStatusIntervalMs = 300_000;
  /** The most steps of one unit ever running at once. */
  mostAtOnce = 0;
  private readonly active = new Map<string, number>();
  private readonly gates = new Map<string, Promise<void>>();

  async step(unit: string): Promise<StepResult> {
    this.steps.push(unit);
    this.active.set(unit, (this.active.get(unit) ?? 0) + 1);
    this.mostAtOnce = Math.max(this.mostAtOnce, this.active.get(unit) ?? 0);
    try {
      await this.gates.get(unit);
      const next = this.script.get(unit)?.shift() ?? 'idle';
      if (next instanceof Error) throw next;
      return next;
    } finally {
      this.active.set(unit, (this.active.get(unit) ?? 1) - 1);
    }
  }

  inRelation(unit: string, relationId: number): boolean {
    return this.inside.has(`${unit}#${relationId}`);
  }

  now(): number {
    return Date.now();
  }

  /** The unit's steps wait until the returned function is called. */
  hold(unit: string): () => void {
    let release = () => {};
    this.gates.set(
      unit,
      new Promise<void>((resolve) => {
        release = () => {
          this.gates.delete(unit);
          resolve();
        };
      }),
    );
    return release;
  }

  /** The units stepped since the last call, sorted. */
  take(): string[] {
    return this.steps.splice(0).sort();
  }
}
