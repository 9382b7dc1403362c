// What unit agents keep in the store (DESIGN §3): each unit's resolver state, its charm's
// persistent state, retry bookkeeping, and the hook log debug-log replays.
import type Database from 'better-sqlite3';
import { statements } from './statements.js';
import type { StoreCipher } from './store-cipher.js';
import type {
  DeployJournalStore,
  HookLogEntry,
  JsonValue,
  UnitRuntimeRecord,
  UnitRuntimeStore,
} from './types.js';
import { deepFreeze } from '../model/deep-freeze.js';

/** Migration 3: unit runtime state, leadership and the hook log. */
export const UNIT_RUNTIME_MIGRATION = `
  ALTER TABLE units ADD COLUMN local_state TEXT;
  ALTER TABLE units ADD COLUMN charm_state TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE units ADD COLUMN resolved TEXT;
  ALTER TABLE units ADD COLUMN retry_at INTEGER;
  ALTER TABLE units ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE applications ADD COLUMN leader TEXT;
  CREATE TABLE hook_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit TEXT NOT NULL,
    hook TEXT NOT NULL,
    detail TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    outcome TEXT,
    message TEXT NOT NULL DEFAULT ''
  );`;

interface RuntimeRow {
  local_state: string | null;
  charm_state: string;
  resolved: string | null;
  retry_at: number | null;
  retries: number;
}

interface HookRow {
  id: number;
  unit: string;
  hook: string;
  detail: string;
  started_at: string;
  ended_at: string | null;
  outcome: string | null;
  message: string;
  logs: string;
}

/**
 * Each unit's last parsed runtime texts. A principal related to 1,000 units keeps a version per
 * remote unit in its local state, and every step of it parsed all of it again. Keyed by the
 * stored text itself, so the cache is right whatever wrote the row and whatever rolled back;
 * the values are frozen, since every later reader gets the same object.
 */
class ParsedRuntime {
  private readonly byUnit = new Map<
    string,
    { local?: [string, unknown]; charm?: [string, unknown] }
  >();

  /** `stored` as the row holds it; `open` turns it into JSON text (the charm's state is sealed:
   * opening it is most of a read's cost, so an unchanged sealed text is not opened again). */
  parse(
    unit: string,
    which: 'local' | 'charm',
    stored: string,
    open: (stored: string) => string = (text) => text,
  ): unknown {
    let entry = this.byUnit.get(unit);
    if (entry === undefined) this.byUnit.set(unit, (entry = {}));
    const hit = entry[which];
    if (hit !== undefined && hit[0] === stored) return hit[1];
    const value = deepFreeze(JSON.parse(open(stored)) as unknown);
    entry[which] = [stored, value];
    return value;
  }

  forget(unit: string): void {
    this.byUnit.delete(unit);
  }
}

/** The charm's state, hook logs and messages are sealed (sealed-columns.ts). */
export function unitRuntimeStore(
  database: Database.Database,
  cipher: StoreCipher,
): UnitRuntimeStore {
  const stmt = statements(database);
  const db = { prepare: stmt };
  const parsed = new ParsedRuntime();
  return {
    unitRuntime(unit) {
      const row = db
        .prepare(
          `SELECT local_state, charm_state, resolved, retry_at, retries FROM units WHERE name = ?`,
        )
        .get(unit) as RuntimeRow | undefined;
      if (!row) {
        parsed.forget(unit);
        return undefined;
      }
      const open = (sealed: string) => cipher.open(sealed, 'units.charm_state');
      const record: UnitRuntimeRecord = {
        charmState: parsed.parse(
          unit,
          'charm',
          row.charm_state,
          open,
        ) as UnitRuntimeRecord['charmState'],
        retries: row.retries,
      };
      if (row.local_state !== null) {
        record.localState = parsed.parse(unit, 'local', row.local_state);
      }
      if (row.resolved === 'retry' || row.resolved === 'no-retry') record.resolved = row.resolved;
      if (row.retry_at !== null) record.retryAt = row.retry_at;
      return record;
    },
    setUnitRuntime(unit, patch) {
      const sets: string[] = [];
      const values: unknown[] = [];
      const put = (column: string, value: unknown) => {
        sets.push(`${column} = ?`);
        values.push(value);
      };
      if ('localState' in patch) put('local_state', JSON.stringify(patch.localState));
      if (patch.charmState !== undefined) {
        put('charm_state', cipher.seal(JSON.stringify(patch.charmState)));
      }
      if ('resolved' in patch) put('resolved', patch.resolved ?? null);
      if ('retryAt' in patch) put('retry_at', patch.retryAt ?? null);
      if (patch.retries !== undefined) put('retries', patch.retries);
      if (sets.length === 0) return;
      db.prepare(`UPDATE units SET ${sets.join(', ')} WHERE name = ?`).run(...values, unit);
    },
    unitsDueForRetry(now) {
      const rows = db
        .prepare(`SELECT name FROM units WHERE retry_at IS NOT NULL AND retry_at <= ?`)
        .all(now) as { name: string }[];
      return rows.map((r) => r.name);
    },
    hookStarted(entry) {
      const result = db
        .prepare(`INSERT INTO hook_log (unit, hook, detail, started_at) VALUES (?, ?, ?, ?)`)
        .run(entry.unit, entry.hook, JSON.stringify(entry.detail), entry.startedAt);
      return Number(result.lastInsertRowid);
    },
    hookEnded(id, outcome, endedAt, message, logs = []) {
      db.prepare(
        `UPDATE hook_log SET outcome = ?, ended_at = ?, message = ?, logs = ? WHERE id = ?`,
      ).run(outcome, endedAt, cipher.seal(message), cipher.seal(JSON.stringify(logs)), id);
    },
    hookLog(afterId = 0) {
      const rows = db
        .prepare(`SELECT * FROM hook_log WHERE id > ? ORDER BY id`)
        .all(afterId) as HookRow[];
      return rows.map((r): HookLogEntry => {
        const entry: HookLogEntry = {
          id: r.id,
          unit: r.unit,
          hook: r.hook,
          detail: JSON.parse(r.detail) as HookLogEntry['detail'],
          startedAt: r.started_at,
          message: cipher.open(r.message, 'hook_log.message'),
          logs: JSON.parse(cipher.open(r.logs, 'hook_log.logs')) as HookLogEntry['logs'],
        };
        if (r.ended_at !== null) entry.endedAt = r.ended_at;
        if (r.outcome === 'ok' || r.outcome === 'error') entry.outcome = r.outcome;
        return entry;
      });
    },
  };
}

/** Migration 4: the deploy journal, so a deploy the controller died in is finished on restart. */
export const DEPLOY_JOURNAL_MIGRATION = `
  CREATE TABLE deploy_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT
  );`;

/** A request is sealed: its bundle and overlays may set secret options. */
export function deployJournal(
  database: Database.Database,
  cipher: StoreCipher,
): DeployJournalStore {
  const db = { prepare: statements(database) };
  return {
    deployStarted(request, at) {
      const r = db
        .prepare(`INSERT INTO deploy_journal (request, started_at) VALUES (?, ?)`)
        .run(cipher.seal(JSON.stringify(request)), at);
      return Number(r.lastInsertRowid);
    },
    deployFinished(id, at) {
      db.prepare(`UPDATE deploy_journal SET finished_at = ? WHERE id = ?`).run(at, id);
    },
    unfinishedDeploys() {
      const rows = db
        .prepare(
          `SELECT id, request, started_at FROM deploy_journal WHERE finished_at IS NULL ORDER BY id`,
        )
        .all() as { id: number; request: string; started_at: string }[];
      return rows.map((r) => ({
        id: r.id,
        request: JSON.parse(cipher.open(r.request, 'deploy_journal.request')) as JsonValue,
        startedAt: r.started_at,
      }));
    },
  };
}

/** Migration 5: what a charm logged during each hook (ctx.log), for debug-log. */
export const HOOK_LOGS_MIGRATION = `ALTER TABLE hook_log ADD COLUMN logs TEXT NOT NULL DEFAULT '[]';`;
