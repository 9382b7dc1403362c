// Charm revisions (DESIGN §11, issue 14): every application's charm is numbered, 1 at deploy, a
// new number for each `rune refresh`; each revision keeps the folder its code was loaded from,
// so `refresh --revision N` can go back to it.
import type Database from 'better-sqlite3';
import { ApplicationNotFoundError, CharmRevisionNotFoundError } from './errors.js';
import type { CharmRevisionRecord, CharmRevisionStore } from './types.js';

/** Migration 8: the application's current revision, and every revision's folder. */
export const CHARM_REVISIONS_MIGRATION = `
  ALTER TABLE applications ADD COLUMN charm_revision INTEGER NOT NULL DEFAULT 1;
  CREATE TABLE charm_revisions (
    application TEXT NOT NULL,
    revision INTEGER NOT NULL,
    charm_dir TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (application, revision)
  );
  INSERT INTO charm_revisions (application, revision, charm_dir, added_at)
    SELECT name, 1, charm_dir, '' FROM applications;`;

interface RevisionRow {
  revision: number;
  charm_dir: string;
  added_at: string;
}

export function charmRevisionStore(db: Database.Database): CharmRevisionStore {
  const current = (application: string) => {
    const row = db
      .prepare(`SELECT charm_revision FROM applications WHERE name = ?`)
      .get(application) as { charm_revision: number } | undefined;
    if (!row) throw new ApplicationNotFoundError(application);
    return row.charm_revision;
  };
  const use = (application: string, revision: number, charmDir: string) =>
    db
      .prepare(`UPDATE applications SET charm_revision = ?, charm_dir = ? WHERE name = ?`)
      .run(revision, charmDir, application);
  return {
    addCharmRevision(application, charmDir, at) {
      current(application);
      const last = db
        .prepare(`SELECT MAX(revision) AS last FROM charm_revisions WHERE application = ?`)
        .get(application) as { last: number | null };
      const revision = (last.last ?? 0) + 1;
      db.prepare(
        `INSERT INTO charm_revisions (application, revision, charm_dir, added_at) VALUES (?, ?, ?, ?)`,
      ).run(application, revision, charmDir, at);
      use(application, revision, charmDir);
      return revision;
    },
    useCharmRevision(application, revision) {
      current(application);
      const row = db
        .prepare(`SELECT charm_dir FROM charm_revisions WHERE application = ? AND revision = ?`)
        .get(application, revision) as { charm_dir: string } | undefined;
      if (!row) throw new CharmRevisionNotFoundError(application, revision);
      use(application, revision, row.charm_dir);
    },
    charmRevisions(application): CharmRevisionRecord[] {
      const rows = db
        .prepare(
          `SELECT revision, charm_dir, added_at FROM charm_revisions WHERE application = ? ORDER BY revision`,
        )
        .all(application) as RevisionRow[];
      return rows.map((r) => ({
        revision: r.revision,
        charmDir: r.charm_dir,
        addedAt: r.added_at,
      }));
    },
  };
}

/** Revision 1 is what was deployed (DESIGN §11); a name deployed again starts over. */
export function recordFirstRevision(
  db: Database.Database,
  application: string,
  charmDir: string,
  at: string,
): void {
  db.prepare(`DELETE FROM charm_revisions WHERE application = ?`).run(application);
  db.prepare(
    `INSERT INTO charm_revisions (application, revision, charm_dir, added_at) VALUES (?, 1, ?, ?)`,
  ).run(application, charmDir, at);
}

export function forgetRevisions(db: Database.Database, application: string): void {
  db.prepare(`DELETE FROM charm_revisions WHERE application = ?`).run(application);
}
