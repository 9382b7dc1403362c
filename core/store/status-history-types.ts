// Status history's records (issue 17 item 2, Juju's show-status-log): every status transition of
// a unit's workload and agent, a machine, an application and the model (the resurrector), with
// its time and message. Bounded: each stream keeps its newest `status-history-size` entries.

/** Juju's --type words: a unit has two streams (workload, juju-unit); the others one each. */
export type StatusLogType = 'workload' | 'juju-unit' | 'machine' | 'application' | 'model';

/** Entries kept per stream unless model-config `status-history-size` says otherwise. */
export const STATUS_HISTORY_DEFAULT = 100;
/** The model-config key, read by the store on each write so a change applies at once. */
export const STATUS_HISTORY_SIZE_KEY = 'status-history-size';

export interface StatusLogEntry {
  /** Grows with each entry: merged streams sort by it. */
  id: number;
  /** `etcd/0`, a machine id, an application name, or `model`. */
  entity: string;
  type: StatusLogType;
  status: string;
  /** Already redacted. */
  message: string;
  /** ISO 8601: when the status became this. */
  at: string;
}

export type NewStatusLogEntry = Omit<StatusLogEntry, 'id'>;

export interface StatusHistoryStore {
  /**
   * Appends the entry, its message redacted, unless the newest one of its stream (entity and
   * type) has the same status and message: a status set again unchanged is no transition.
   * Prunes the stream to its newest `status-history-size`. Resolves to whether it appended.
   * In the caller's transaction when there is one, so the entry lands with the change.
   */
  recordStatus(entry: NewStatusLogEntry): boolean;
  /** The newest `limit` (default all kept) entries of `entity`'s streams of these types,
   * oldest first. */
  statusHistory(entity: string, types: readonly StatusLogType[], limit?: number): StatusLogEntry[];
}
