// The resurrector (DESIGN §12, BOSH's): on each health pass, replaces the local machines that
// stayed lost past the grace period — the dead units leave as `remove-unit --force` would (their
// peers see them depart), the machine's leftovers are destroyed, and each application gets a new
// unit on a new machine (local or sim). Manual machines are never replaced. The meltdown brake
// (resurrector-plan.ts) stops it when many machines are lost at once.
import type { Store } from '../store/types.js';
import type { Health } from './machine-pool.js';
import { resurrectorSettings } from './model-config.js';
import { planResurrection } from './resurrector-plan.js';
import { recordBrake, recordReplacement } from './status-log.js';

export interface ResurrectorDeps {
  store: Store;
  health: (machine: string) => Health | undefined;
  addUnits: (application: string, count: number) => Promise<string[]>;
  removeUnits: (units: string[], force: boolean) => void;
  removeMachine: (id: string) => Promise<void>;
  log: (line: string) => void;
}

export class Resurrector {
  private brake: string | undefined;
  /** The first pass records the brake's state even if unchanged: a restarted controller may
   * have to release one its predecessor recorded (status-log.ts). */
  private brakeRecorded = false;
  private readonly replacing = new Set<string>();

  constructor(private readonly deps: ResurrectorDeps) {}

  /** What status says of it while the brake holds. */
  note(): { resurrector?: string } {
    return this.brake === undefined ? {} : { resurrector: this.brake };
  }

  /** Replaces what the plan says now; resolves once those replacements are under way. */
  async pass(now: number): Promise<void> {
    const { store, health } = this.deps;
    const machines = store
      .machines()
      .filter((m) => m.life === 'alive')
      .map((m) => {
        const h = health(m.id);
        return {
          id: m.id,
          replaceable: m.provider !== 'manual',
          ...(h && !h.reachable ? { lostSince: Date.parse(h.since) } : {}),
        };
      });
    const plan = planResurrection(machines, resurrectorSettings(store.modelConfig()), now);
    if (plan.brake !== this.brake || !this.brakeRecorded) {
      if (plan.brake !== this.brake)
        this.deps.log(plan.brake ?? 'resurrector: meltdown brake released');
      this.brake = plan.brake;
      recordBrake(store, plan.brake, new Date(now));
      this.brakeRecorded = true;
    }
    await Promise.all(
      plan.replace.filter((id) => !this.replacing.has(id)).map((id) => this.replace(id)),
    );
  }

  private async replace(machine: string): Promise<void> {
    const { store, log } = this.deps;
    this.replacing.add(machine);
    const since = this.deps.health(machine)?.since ?? '?';
    const replaced: [string, string | undefined][] = [];
    try {
      const units = store
        .units()
        .filter((u) => u.machine === machine && u.principal === undefined && u.life === 'alive');
      log(
        `resurrector: machine ${machine} lost since ${since}; replacing it` +
          (units.length > 0 ? ` and its units ${units.map((u) => u.name).join(', ')}` : ''),
      );
      // The dead units go first: an etcd member that will never answer leaves the cluster's
      // quorum before a new one joins it.
      if (units.length > 0)
        this.deps.removeUnits(
          units.map((u) => u.name),
          true,
        );
      await this.deps.removeMachine(machine);
      for (const unit of units) {
        const [added] = await this.deps.addUnits(unit.application, 1);
        replaced.push([unit.name, added]);
        log(`resurrector: ${unit.name} replaced by ${added ?? '(none)'}`);
      }
      recordReplacement(store, { machine, lostSince: since, units: replaced }, new Date());
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      log(`resurrector: replacing machine ${machine} failed: ${why}`);
      recordReplacement(
        store,
        { machine, lostSince: since, units: replaced, error: why },
        new Date(),
      );
    } finally {
      this.replacing.delete(machine);
    }
  }
}
