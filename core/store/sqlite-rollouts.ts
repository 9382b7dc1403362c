// Rollouts (DESIGN §11, issue 14): a change to an application (charm revision, config) moving its
// units from the old to the new in batches. Stored whole, so a restarted controller carries on
// where the last one was (level-triggered: rollouts.ts reads it every pass).
import type Database from 'better-sqlite3';
import { statements } from './statements.js';
import type { StoreCipher } from './store-cipher.js';
import { RolloutNotFoundError } from './errors.js';
import type { ApplicationSpec, RolloutRecord, RolloutStore } from './types.js';

/** Migration 9. */
export const ROLLOUTS_MIGRATION = `
  CREATE TABLE rollouts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application TEXT NOT NULL,
    record TEXT NOT NULL,
    state TEXT NOT NULL
  );
  CREATE INDEX rollouts_by_application ON rollouts (application, state);`;

interface Row {
  id: number;
  record: string;
}

/** A spec as stored: one recorded before resources rolled has no `resources`. */
type StoredSpec = Omit<ApplicationSpec, 'resources'> & { resources?: Record<string, number> };

/** A record is sealed: its specs hold the application's config before and after. */
export function rolloutStore(database: Database.Database, cipher: StoreCipher): RolloutStore {
  const db = { prepare: statements(database) };
  const current = (application: string): Record<string, number> => {
    const rows = db
      .prepare(`SELECT name, revision FROM resources WHERE application = ? ORDER BY name`)
      .all(application) as { name: string; revision: number }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.revision]));
  };
  // Such a rollout never changed resources: its specs mean "whatever the application has".
  const toRecord = (r: Row): RolloutRecord => {
    const record = {
      ...(JSON.parse(cipher.open(r.record, 'rollouts.record')) as RolloutRecord),
      id: r.id,
    };
    let resources: Record<string, number> | undefined;
    const full = (spec: StoredSpec): ApplicationSpec =>
      spec.resources
        ? (spec as ApplicationSpec)
        : { ...spec, resources: (resources ??= current(record.application)) };
    return {
      ...record,
      from: full(record.from),
      to: full(record.to),
      units: record.units.map((u) => (u.from ? { ...u, from: full(u.from) } : u)),
    };
  };
  return {
    addRollout(rollout) {
      const r = db
        .prepare(`INSERT INTO rollouts (application, record, state) VALUES (?, ?, ?)`)
        .run(rollout.application, cipher.seal(JSON.stringify(rollout)), rollout.state);
      return Number(r.lastInsertRowid);
    },
    setRollout(rollout) {
      const r = db
        .prepare(`UPDATE rollouts SET record = ?, state = ? WHERE id = ?`)
        .run(cipher.seal(JSON.stringify(rollout)), rollout.state, rollout.id);
      if (r.changes === 0) throw new RolloutNotFoundError(rollout.id);
    },
    activeRollout(application) {
      const row = db
        .prepare(
          `SELECT id, record FROM rollouts WHERE application = ? AND state IN ('running', 'halted')
             ORDER BY id DESC LIMIT 1`,
        )
        .get(application) as Row | undefined;
      return row ? toRecord(row) : undefined;
    },
    activeRollouts() {
      const rows = db
        .prepare(`SELECT id, record FROM rollouts WHERE state IN ('running', 'halted') ORDER BY id`)
        .all() as Row[];
      return rows.map(toRecord);
    },
    rollouts() {
      const rows = db.prepare(`SELECT id, record FROM rollouts ORDER BY id`).all() as Row[];
      return rows.map(toRecord);
    },
  };
}
