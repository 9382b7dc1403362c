// What `rune history` reads through the API: each model revision's number, time, command and
// structured diff with a one-line summary. The recorded specs stay in the store (rollback's).
import type { ApplicationChange } from '../store/history-types.js';
import type { Store } from '../store/types.js';
import { summarize } from './history-diff.js';

export interface HistoryEntry {
  revision: number;
  at: string;
  command: string;
  applications: string[];
  changes: ApplicationChange[];
  summary: string;
  /** For a rollback: the model revision it restored. */
  rollbackOf?: number;
}

export interface HistoryResponse {
  revisions: HistoryEntry[];
}

/** Oldest first; with an application, only the revisions that touched it. */
export function historyEntries(store: Store, application?: string): HistoryResponse {
  return {
    revisions: store.modelRevisions(application).map((r) => ({
      revision: r.revision,
      at: r.at,
      command: r.command,
      applications: r.applications,
      changes: r.changes,
      summary: summarize(r.changes),
      ...(r.rollbackOf === undefined ? {} : { rollbackOf: r.rollbackOf }),
    })),
  };
}
