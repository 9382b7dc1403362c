// Rollouts (DESIGN §11, issue 14): a change to an application (charm revision, config) moving its
// units from the old to the new in batches. Stored whole, so a restarted controller carries on
// where the last one was (level-triggered: rollouts.ts reads it every pass).
import type Database from 'better-sqlite3';
import { RolloutNotFoundError } from './errors.js';
import type { RolloutRecord, RolloutStore } from './types.js';

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

const toRecord = (r: Row): RolloutRecord => ({
  ...(JSON.parse(r.record) as RolloutRecord),
  id: r.id,
});

export function rolloutStore(db: Database.Database): RolloutStore {
  return {
    addRollout(rollout) {
      const r = db
        .prepare(`INSERT INTO rollouts (application, record, state) VALUES (?, ?, ?)`)
        .run(rollout.application, JSON.stringify(rollout), rollout.state);
      return Number(r.lastInsertRowid);
    },
    setRollout(rollout) {
      const r = db
        .prepare(`UPDATE rollouts SET record = ?, state = ? WHERE id = ?`)
        .run(JSON.stringify(rollout), rollout.state, rollout.id);
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
