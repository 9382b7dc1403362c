// Status axes and life (DESIGN §6). Pure: no I/O, no clock.

export type Life = 'alive' | 'dying' | 'dead';

export type WorkloadStatus =
  'unknown' | 'maintenance' | 'waiting' | 'blocked' | 'active' | 'error' | 'terminated';

export type AgentStatus = 'allocating' | 'executing' | 'idle' | 'error' | 'failed' | 'lost';

export type MachineStatus = 'pending' | 'started' | 'down' | 'error' | 'stopped';

export interface StatusInfo<S extends string> {
  current: S;
  message: string;
  /** ISO 8601 time of the last change of `current` or `message`. */
  since: string;
}

/** Higher wins when an application's status is derived from its units (DESIGN §6). */
const WORKLOAD_PRIORITY: Record<WorkloadStatus, number> = {
  error: 6,
  blocked: 5,
  maintenance: 4,
  waiting: 3,
  active: 2,
  terminated: 1,
  unknown: 0,
};

/** How severe a workload status is: higher outranks lower (error > blocked > maintenance >
 * waiting > active). A hook's collected statuses (core/charm) use the same order. */
export function workloadSeverity(status: WorkloadStatus): number {
  return WORKLOAD_PRIORITY[status];
}

/** The application's status: what its leader set, else the most severe unit status. */
export function deriveApplicationStatus(
  leaderSet: StatusInfo<WorkloadStatus> | undefined,
  units: readonly StatusInfo<WorkloadStatus>[],
): StatusInfo<WorkloadStatus> | undefined {
  if (leaderSet) return leaderSet;
  let worst: StatusInfo<WorkloadStatus> | undefined;
  for (const unit of units) {
    if (!worst || workloadSeverity(unit.current) > workloadSeverity(worst.current)) worst = unit;
  }
  return worst;
}
