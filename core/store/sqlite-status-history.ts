// Status history in SQLite (issue 17 item 2): one row per transition, numbered per stream (entity
// and type) so pruning the oldest is one indexed range delete, not a count. Writes join the
// caller's transaction; the store's model writes (sqlite-model.ts) call it for unit statuses.
import type Database from 'better-sqlite3';
import { redact } from '../model/redact.js';
import {
  type NewStatusLogEntry,
  STATUS_HISTORY_DEFAULT,
  STATUS_HISTORY_SIZE_KEY,
  type StatusHistoryStore,
  type StatusLogEntry,
  type StatusLogType,
} from './status-history-types.js';

/** Appended to MIGRATIONS. `seq` counts each stream's entries from 1. */
export const STATUS_HISTORY_MIGRATION = `
  CREATE TABLE status_history (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    type TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX status_history_stream ON status_history (entity, type, seq);`;

interface Row {
  id: number;
  entity: string;
  type: string;
  status: string;
  message: string;
  at: string;
}

const toEntry = (r: Row): StatusLogEntry => ({
  id: r.id,
  entity: r.entity,
  type: r.type as StatusLogType,
  status: r.status,
  message: r.message,
  at: r.at,
});

/** The kept size as set, or the default for anything else (model-config.ts refuses bad values
 * before they are stored; a store edited by hand must still work). */
function historySize(value: string | undefined): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n >= 1 ? n : STATUS_HISTORY_DEFAULT;
}

/** `stmt` prepares once per SQL text (the store's cache); `transaction` is the store's, so a
 * record nests as a savepoint in a caller's transaction. */
export function statusHistoryStore(
  stmt: (sql: string) => Database.Statement,
  transaction: <T>(fn: () => T) => T,
): StatusHistoryStore & { forget(entity: string, types: readonly StatusLogType[]): void } {
  return {
    recordStatus(entry: NewStatusLogEntry): boolean {
      const message = redact(entry.message);
      return transaction(() => {
        const last = stmt(
          `SELECT seq, status, message FROM status_history WHERE entity = ? AND type = ?
             ORDER BY seq DESC LIMIT 1`,
        ).get(entry.entity, entry.type) as
          { seq: number; status: string; message: string } | undefined;
        if (last && last.status === entry.status && last.message === message) return false;
        const seq = (last?.seq ?? 0) + 1;
        stmt(
          `INSERT INTO status_history (entity, type, seq, status, message, at)
             VALUES (?, ?, ?, ?, ?, ?)`,
        ).run(entry.entity, entry.type, seq, entry.status, message, entry.at);
        const size = stmt(`SELECT value FROM meta WHERE key = ?`).get(
          `model-config.${STATUS_HISTORY_SIZE_KEY}`,
        ) as { value: string } | undefined;
        // Usually deletes the one entry that fell out; after the size shrank, all of them.
        stmt(`DELETE FROM status_history WHERE entity = ? AND type = ? AND seq <= ?`).run(
          entry.entity,
          entry.type,
          seq - historySize(size?.value),
        );
        return true;
      });
    },
    statusHistory(entity, types, limit) {
      if (types.length === 0) return [];
      const marks = types.map(() => '?').join(', ');
      const rows = stmt(
        `SELECT id, entity, type, status, message, at FROM status_history
           WHERE entity = ? AND type IN (${marks}) ORDER BY id DESC LIMIT ?`,
      ).all(entity, ...types, limit ?? -1) as Row[];
      return rows.reverse().map(toEntry);
    },
    forget(entity, types) {
      for (const type of types) {
        stmt(`DELETE FROM status_history WHERE entity = ? AND type = ?`).run(entity, type);
      }
    },
  };
}
