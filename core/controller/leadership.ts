// Leader leases (DESIGN §6): one leader per application, under a lease the controller renews
// while the leader's agent can act. Leadership moves only when the lease has lapsed, or at once
// when the leader has left the model, so a unit that ran leader-elected keeps leading for at
// least a lease (Juju's guarantee: a leader may act on what it knows for that long). Pure over
// the store: the clock and machine reachability arrive as arguments.
import type { Store, UnitIndexEntry } from '../store/types.js';

/** Juju's lease is 60 s with renewal at 30 s; DESIGN §6 promises at least 30 s. */
export const LEADER_LEASE_MS = 30_000;

export interface LeadershipOptions {
  now: number;
  leaseMs?: number;
  /** Whether the unit's agent can act now (its machine reachable); default: every unit can. */
  canLead?: (unit: UnitIndexEntry) => boolean;
}

/** Renews or hands over each application's lease; the units that became leader. */
export function ensureLeaders(store: Store, options: LeadershipOptions): string[] {
  const { now, leaseMs = LEADER_LEASE_MS } = options;
  const canLead = options.canLead ?? (() => true);
  const changed: string[] = [];
  const index = store.unitIndex();
  for (const app of store.applications()) {
    const leader = store.leader(app.name);
    const expires = store.leaseExpires(app.name);
    const current = leader === undefined ? undefined : index.find((u) => u.name === leader);
    if (current) {
      if (current.life === 'alive' && canLead(current)) {
        // Renewed halfway through, so a busy model writes once per half-lease, not per pass.
        if (expires === undefined || expires - now < leaseMs / 2)
          store.renewLease(app.name, now + leaseMs);
        continue;
      }
      // Dying or unreachable: it keeps what it was promised until the lease lapses.
      if (expires !== undefined && expires > now) continue;
    }
    // unitIndex() is sorted by number: the lowest-numbered unit that can act, else the lowest.
    const alive = index.filter((u) => u.application === app.name && u.life === 'alive');
    const next = (alive.find((u) => canLead(u)) ?? alive[0])?.name;
    if (next === leader) {
      if (next !== undefined) store.renewLease(app.name, now + leaseMs);
      continue;
    }
    store.setLeader(app.name, next, now + leaseMs);
    if (next !== undefined) changed.push(next);
  }
  return changed;
}
