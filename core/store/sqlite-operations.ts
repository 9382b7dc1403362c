// Operator requests that outlive a hook (DESIGN §3, §10): action runs queued on units with their
// results. (The resources table made here is served by sqlite-resources.ts.)
import type Database from 'better-sqlite3';
import { statements } from './statements.js';
import type { StoreCipher } from './store-cipher.js';
import type { ActionRecord, ActionStatus, OperationsStore } from './types.js';

/** Migration 7: actions and resources. */
export const OPERATIONS_MIGRATION = `
  CREATE TABLE actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit TEXT NOT NULL,
    name TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL,
    results TEXT NOT NULL DEFAULT '{}',
    message TEXT NOT NULL DEFAULT '',
    enqueued_at TEXT NOT NULL,
    started_at TEXT,
    completed_at TEXT
  );
  CREATE INDEX actions_waiting ON actions (unit, status);
  CREATE TABLE resources (
    application TEXT NOT NULL REFERENCES applications(name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    revision INTEGER NOT NULL,
    attached_at TEXT NOT NULL,
    PRIMARY KEY (application, name)
  );`;

interface ActionRow {
  id: number;
  unit: string;
  name: string;
  params: string;
  status: string;
  results: string;
  message: string;
  enqueued_at: string;
  started_at: string | null;
  completed_at: string | null;
}

function toAction(r: ActionRow, cipher: StoreCipher): ActionRecord {
  const record: ActionRecord = {
    id: r.id,
    unit: r.unit,
    name: r.name,
    params: JSON.parse(cipher.open(r.params, 'actions.params')) as Record<string, unknown>,
    status: r.status as ActionStatus,
    results: JSON.parse(cipher.open(r.results, 'actions.results')) as Record<string, string>,
    message: r.message,
    enqueuedAt: r.enqueued_at,
  };
  if (r.started_at !== null) record.startedAt = r.started_at;
  if (r.completed_at !== null) record.completedAt = r.completed_at;
  return record;
}

/** Params and results are sealed (sealed-columns.ts): a backup action returns a CA key. */
export function operationsStore(db: Database.Database, cipher: StoreCipher): OperationsStore {
  const prepare = statements(db);
  return {
    enqueueAction(unit, name, params, at) {
      const r = prepare(
        `INSERT INTO actions (unit, name, params, status, enqueued_at) VALUES (?, ?, ?, 'pending', ?)`,
      ).run(unit, name, cipher.seal(JSON.stringify(params)), at);
      return Number(r.lastInsertRowid);
    },
    action(id) {
      const row = prepare(`SELECT * FROM actions WHERE id = ?`).get(id) as ActionRow | undefined;
      return row && toAction(row, cipher);
    },
    nextAction(unit) {
      // One left running by a dead controller comes first: it is run again (at least once).
      const row = prepare(
        `SELECT * FROM actions WHERE unit = ? AND status IN ('running', 'pending')
           ORDER BY status = 'running' DESC, id LIMIT 1`,
      ).get(unit) as ActionRow | undefined;
      return row && toAction(row, cipher);
    },
    unitsWithActions() {
      const rows = prepare(
        `SELECT DISTINCT unit FROM actions WHERE status IN ('running', 'pending')`,
      ).all() as { unit: string }[];
      return rows.map((r) => r.unit);
    },
    startAction(id, at) {
      prepare(`UPDATE actions SET status = 'running', started_at = ? WHERE id = ?`).run(at, id);
    },
    finishAction(id, status, results, message, at) {
      prepare(
        `UPDATE actions SET status = ?, results = ?, message = ?, completed_at = ? WHERE id = ?`,
      ).run(status, cipher.seal(JSON.stringify(results)), message, at, id);
    },
  };
}
