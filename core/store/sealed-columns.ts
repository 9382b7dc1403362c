// Which store values are sealed at rest (issue 15 item 6), and the two passes over all of them:
// the migration that seals a store written before encryption, and a key rotation's re-seal.
// Every column a charm's secrets (or an operator's) can reach is listed, not only those known to
// hold one today: a CA key lives in leader settings, client keys in relation bags, tokens in
// leader settings, and an action's params or a config option can carry anything.
import type Database from 'better-sqlite3';
import { isSealed, type StoreCipher } from './store-cipher.js';

export interface SealedColumn {
  table: string;
  column: string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  // A bag's values; before migration 15, each bag as one JSON text (the sealing migration ran
  // on that schema, so both are listed and a pass skips the one the store does not have).
  { table: 'databag_keys', column: 'value' },
  { table: 'databags', column: 'data' },
  { table: 'leader_settings', column: 'value' },
  { table: 'units', column: 'charm_state' },
  { table: 'applications', column: 'config' },
  { table: 'actions', column: 'params' },
  { table: 'actions', column: 'results' },
  // Logs and messages pass redact() first, but a pattern cannot know every secret a charm logs.
  { table: 'hook_log', column: 'logs' },
  { table: 'hook_log', column: 'message' },
  // Each holds an application's config as it was (rollouts: before and after; the journal: the
  // bundle and overlays of a deploy in flight).
  { table: 'rollouts', column: 'record' },
  { table: 'model_revisions', column: 'record' },
  { table: 'deploy_journal', column: 'request' },
];

const KEY_ID = 'store-key';

/** The sealed columns this store's schema has (a store mid-migration lacks the newer ones). */
export function sealedColumnsOf(db: Database.Database): SealedColumn[] {
  const has = ({ table, column }: SealedColumn) =>
    (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).some(
      (c) => c.name === column,
    );
  return SEALED_COLUMNS.filter(has);
}

/** The id of the key the store's values are sealed with; undefined before they are sealed. */
export function recordedKeyId(db: Database.Database): string | undefined {
  const meta = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`)
    .get();
  if (meta === undefined) return undefined;
  const row = db.prepare(`SELECT value FROM meta WHERE key = ?`).get(KEY_ID) as
    { value: string } | undefined;
  return row?.value;
}

export function recordKeyId(db: Database.Database, id: string): void {
  db.prepare(
    `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  ).run(KEY_ID, id);
}

/** Rewrites every sealed column's values as `seal(open(value))`, in the caller's transaction
 * (a store is never half one key and half another); the count sealed, empty ones left as they
 * are (store-cipher.ts). */
export function reseal(
  db: Database.Database,
  open: (stored: string, where: string) => string,
  seal: (plain: string) => string,
): number {
  let count = 0;
  for (const { table, column } of sealedColumnsOf(db)) {
    const rows = db
      .prepare(`SELECT rowid AS id, ${column} AS value FROM ${table} WHERE ${column} IS NOT NULL`)
      .all() as { id: number; value: string }[];
    const update = db.prepare(`UPDATE ${table} SET ${column} = ? WHERE rowid = ?`);
    for (const row of rows) {
      const sealed = seal(open(row.value, `${table}.${column}`));
      update.run(sealed, row.id);
      if (isSealed(sealed)) count++;
    }
  }
  return count;
}

/**
 * The migration that seals a store written before encryption (appended to MIGRATIONS). Every
 * value is taken as plain, even one that looks sealed: nothing was sealed before this ran.
 * Returns whether the store held values, whose plain text now only sits in free pages.
 */
export function sealExistingValues(db: Database.Database, cipher: StoreCipher): boolean {
  const count = reseal(
    db,
    (value) => value,
    (value) => cipher.seal(value),
  );
  recordKeyId(db, cipher.keyId);
  return count > 0;
}

/**
 * Leaves no old text in the files: VACUUM rebuilds the database without its free pages (where
 * the values before a migration or rotation remain), and the checkpoint empties the WAL that
 * held the pages VACUUM replaced. Outside any transaction; after sealing or re-sealing.
 */
export function compact(db: Database.Database): void {
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
}
