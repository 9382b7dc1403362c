// The machine lock (DESIGN §5): one holder at a time per machine id, granted in request order,
// so hooks never race package managers or service files. Pure: no timers; waiting is cancelled
// only through the caller's AbortSignal.
import { abortReason } from './backoff.js';

export type Release = () => void;

interface Waiter {
  grant(release: Release): void;
}

export class MachineLock {
  /** Per machine: whether it is held, and who waits, first in line first. */
  private readonly machines = new Map<string, Waiter[]>();

  /** Resolves to a release function once `machineId` is ours; rejects if `signal` aborts first. */
  acquire(machineId: string, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const queue = this.machines.get(machineId);
    if (!queue) {
      this.machines.set(machineId, []);
      return Promise.resolve(this.releaser(machineId));
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        reject(abortReason(signal));
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Whether anyone holds `machineId` now. */
  isHeld(machineId: string): boolean {
    return this.machines.has(machineId);
  }

  private releaser(machineId: string): Release {
    let released = false;
    return () => {
      // Releasing twice must not hand the machine to a second waiter behind the holder's back.
      if (released) return;
      released = true;
      const next = this.machines.get(machineId)?.shift();
      if (next) next.grant(this.releaser(machineId));
      else this.machines.delete(machineId);
    };
  }
}
