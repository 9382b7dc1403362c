// Model history's records (DESIGN §11, issue 14 item 5): every change to the model is a numbered
// revision with its command, a structured diff, and the spec each application it touched was
// left with. Secret option values never enter them: a secret option is named, never valued.
import type { ConfigValue, ConfigValues } from '../model/types.js';

/** What a secret option's value is recorded as. */
export const SECRET_MARKER = '[redacted]';

/** Options set, changed or reset (back to the charm's default) by a change. */
export interface ConfigChange {
  added?: Record<string, ConfigValue>;
  changed?: Record<string, [ConfigValue, ConfigValue]>;
  removed?: Record<string, ConfigValue>;
}

/** One application's part of a revision's diff; a field is absent when that did not change. */
export interface ApplicationChange {
  application: string;
  /** [before, after]. */
  charmRevision?: [number, number];
  config?: ConfigChange;
  /** Resource → [revision before (null when none was attached), revision after]. */
  resources?: Record<string, [number | null, number]>;
  added?: {
    application?: { charm: string; charmRevision: number };
    units?: string[];
    /** `etcd:db - kubernetes-master:etcd`; a peer relation is one endpoint. */
    relations?: string[];
  };
  removed?: { application?: true; units?: string[]; relations?: string[] };
}

/** An application's spec after a revision: what rollback restores. */
export interface RecordedSpec {
  charmRevision: number;
  /** Options set by the operator, secret ones left out. */
  config: ConfigValues;
  /** Secret options that were set; their values are never recorded. */
  secrets: string[];
  /** Resource → the revision attached. */
  resources: Record<string, number>;
}

export interface ModelRevisionRecord {
  /** 1, 2, ... in the order the changes landed. */
  revision: number;
  at: string;
  /** The verb and its arguments as the controller received them, secrets redacted. */
  command: string;
  /** The applications it touched, sorted. */
  applications: string[];
  /** One entry per touched application, sorted by name. */
  changes: ApplicationChange[];
  /** Each touched application still deployed: its spec after the change. */
  specs: Record<string, RecordedSpec>;
  /** For a rollback: the model revision whose spec it restored. */
  rollbackOf?: number;
}

/** The model revision log (DESIGN §11: `history`, `rollback`). */
export interface HistoryStore {
  /** Records the next revision; resolves to its number. Call it in the change's transaction. */
  addModelRevision(revision: Omit<ModelRevisionRecord, 'revision'>): number;
  /** Oldest first; with an application, only the revisions that touched it. */
  modelRevisions(application?: string): ModelRevisionRecord[];
  /** The newest revision's number; 0 before the first change. */
  latestModelRevision(): number;
}
