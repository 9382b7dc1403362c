// The model revision log in SQLite (issue 14 item 5): one row per change, and an index of the
// applications each touched so `history APP` and rollback read only theirs. Rows are never
// edited or deleted: a revision number, once given, always means the same change.
import type Database from 'better-sqlite3';
import type { StoreCipher } from './store-cipher.js';
import type { HistoryStore, ModelRevisionRecord } from './history-types.js';

/** Migration 10. */
export const HISTORY_MIGRATION = `
  CREATE TABLE model_revisions (
    revision INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    command TEXT NOT NULL,
    record TEXT NOT NULL
  );
  CREATE TABLE model_revision_applications (
    application TEXT NOT NULL,
    revision INTEGER NOT NULL REFERENCES model_revisions (revision),
    PRIMARY KEY (application, revision)
  );`;

interface Row {
  revision: number;
  at: string;
  command: string;
  record: string;
}

type Stored = Omit<ModelRevisionRecord, 'revision' | 'at' | 'command'>;

/** A record is sealed: it holds the applications' config as the revision left it. */
export function historyStore(db: Database.Database, cipher: StoreCipher): HistoryStore {
  const toRecord = (r: Row): ModelRevisionRecord => ({
    revision: r.revision,
    at: r.at,
    command: r.command,
    ...(JSON.parse(cipher.open(r.record, 'model_revisions.record')) as Stored),
  });
  const latest = () =>
    (
      db.prepare(`SELECT MAX(revision) AS last FROM model_revisions`).get() as {
        last: number | null;
      }
    ).last ?? 0;
  return {
    addModelRevision(revision) {
      const { at, command, ...rest } = revision;
      // A savepoint inside the change's own transaction; on its own, still all or nothing.
      return db.transaction(() => {
        const number = latest() + 1;
        db.prepare(
          `INSERT INTO model_revisions (revision, at, command, record) VALUES (?, ?, ?, ?)`,
        ).run(number, at, command, cipher.seal(JSON.stringify(rest)));
        const touched = db.prepare(
          `INSERT INTO model_revision_applications (application, revision) VALUES (?, ?)`,
        );
        for (const application of revision.applications) touched.run(application, number);
        return number;
      })();
    },
    modelRevisions(application) {
      const rows = (
        application === undefined
          ? db.prepare(`SELECT * FROM model_revisions ORDER BY revision`).all()
          : db
              .prepare(
                `SELECT r.* FROM model_revisions r
                   JOIN model_revision_applications a ON a.revision = r.revision
                   WHERE a.application = ? ORDER BY r.revision`,
              )
              .all(application)
      ) as Row[];
      return rows.map(toRecord);
    },
    latestModelRevision: latest,
  };
}
