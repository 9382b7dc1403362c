// Attached resources (DESIGN §10–11): every revision of each is kept, with the current one in
// `resources`, so a unit a rollout has not reached yet still fetches the revision it is on, and
// an abort or a rollback can make an earlier one current again.
import type Database from 'better-sqlite3';
import { ResourceRevisionNotFoundError } from './errors.js';
import type { ResourceRecord, ResourceStore } from './types.js';

/** Migration 10 (11 once merged beside the history work): every revision, not only the last.
 * Revisions attached before it are kept as they were (their file was overwritten in place). */
export const RESOURCE_REVISIONS_MIGRATION = `
  CREATE TABLE resource_revisions (
    application TEXT NOT NULL REFERENCES applications(name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    revision INTEGER NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    attached_at TEXT NOT NULL,
    PRIMARY KEY (application, name, revision)
  );
  INSERT INTO resource_revisions (application, name, revision, file, sha256, size, attached_at)
    SELECT application, name, revision, file, sha256, size, attached_at FROM resources;`;

interface ResourceRow {
  application: string;
  name: string;
  file: string;
  sha256: string;
  size: number;
  revision: number;
  attached_at: string;
}

const toResource = (r: ResourceRow): ResourceRecord => ({
  application: r.application,
  name: r.name,
  file: r.file,
  sha256: r.sha256,
  size: r.size,
  revision: r.revision,
  attachedAt: r.attached_at,
});

export function resourceStore(db: Database.Database): ResourceStore {
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  const makeCurrent = (row: ResourceRow) =>
    prepare(
      `INSERT INTO resources (application, name, file, sha256, size, revision, attached_at)
         VALUES (@application, @name, @file, @sha256, @size, @revision, @attached_at)
         ON CONFLICT (application, name) DO UPDATE SET file = excluded.file,
           sha256 = excluded.sha256, size = excluded.size, revision = excluded.revision,
           attached_at = excluded.attached_at`,
    ).run(row);
  const revisionRow = (application: string, name: string, revision: number) =>
    prepare(
      `SELECT * FROM resource_revisions WHERE application = ? AND name = ? AND revision = ?`,
    ).get(application, name, revision) as ResourceRow | undefined;
  return {
    attachResource(application, name, file, at) {
      return db.transaction(() => {
        // Numbers are never reused, even after an abort made the resource absent again.
        const { last } = prepare(
          `SELECT MAX(revision) AS last FROM resource_revisions WHERE application = ? AND name = ?`,
        ).get(application, name) as { last: number | null };
        const row: ResourceRow = {
          application,
          name,
          ...file,
          revision: (last ?? 0) + 1,
          attached_at: at,
        };
        prepare(
          `INSERT INTO resource_revisions (application, name, revision, file, sha256, size, attached_at)
             VALUES (@application, @name, @revision, @file, @sha256, @size, @attached_at)`,
        ).run(row);
        makeCurrent(row);
        return row.revision;
      })();
    },
    resources(application) {
      const rows = prepare(`SELECT * FROM resources WHERE application = ? ORDER BY name`).all(
        application,
      ) as ResourceRow[];
      return rows.map(toResource);
    },
    resourceRevision(application, name, revision) {
      const row = revisionRow(application, name, revision);
      return row && toResource(row);
    },
    useResourceRevision(application, name, revision) {
      if (revision === undefined) {
        prepare(`DELETE FROM resources WHERE application = ? AND name = ?`).run(application, name);
        return;
      }
      const row = revisionRow(application, name, revision);
      if (!row) throw new ResourceRevisionNotFoundError(application, name, revision);
      makeCurrent(row);
    },
  };
}
