// The global bound on hooks running at once (DESIGN §5: "hooks on different machines run in
// parallel under a global bound"), combined with the per-machine lock: a hook first gets its
// machine, then a slot, so units waiting for a busy machine never hold slots others could use.

export type Release = () => void;

/** One holder at a time per machine (agents/machine/lock.ts is the one the controller uses). */
export interface MachineLocks {
  acquire(machineId: string, signal?: AbortSignal): Promise<Release>;
}

export interface HookLock {
  acquire(machineId: string, signal?: AbortSignal): Promise<Release>;
}

export class HookSlots {
  private free: number;
  private readonly waiting: ((release: Release) => void)[] = [];

  constructor(readonly max: number) {
    this.free = max;
  }

  acquire(): Promise<Release> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Handed straight to the next waiter, so nobody can slip in between and exceed the bound.
      const next = this.waiting.shift();
      if (next) next(this.releaser());
      else this.free += 1;
    };
  }
}

export function boundedLock(machines: MachineLocks, slots: HookSlots): HookLock {
  return {
    async acquire(machineId, signal) {
      const machine = await machines.acquire(machineId, signal);
      const slot = await slots.acquire();
      return () => {
        slot();
        machine();
      };
    },
  };
}
