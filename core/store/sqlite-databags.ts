// Relation databags in SQLite, one row per key (migration 15): a write stores the keys it changed
// and bumps the owner's version, whatever the bag's size. With a row per bag, a CA answering
// 1,000 requesters rewrote (serialized, sealed, logged to the WAL) its whole 3 MB bag on every
// signature, and a master its 200 KB of per-worker credentials on every new worker.
import type Database from 'better-sqlite3';
import type { BagRow } from './bag-cache.js';
import type { StoreCipher } from './store-cipher.js';

const WHERE = 'databags.data';

/** Migration 15: each bag's keys move to rows of their own, each value sealed alone. */
export function splitDatabags(db: Database.Database, cipher: StoreCipher): boolean {
  db.exec(`CREATE TABLE databag_keys (
    relation_id INTEGER NOT NULL,
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (relation_id, owner, key)
  )`);
  const rows = db.prepare(`SELECT relation_id, owner, data FROM databags`).all() as {
    relation_id: number;
    owner: string;
    data: string;
  }[];
  const insert = db.prepare(
    `INSERT INTO databag_keys (relation_id, owner, key, value) VALUES (?, ?, ?, ?)`,
  );
  for (const row of rows) {
    const data = JSON.parse(cipher.open(row.data, WHERE)) as Record<string, string>;
    for (const [key, value] of Object.entries(data))
      insert.run(row.relation_id, row.owner, key, cipher.seal(value));
  }
  db.exec(`ALTER TABLE databags DROP COLUMN data`);
  // The bags' old text sits in free pages until the store is compacted.
  return rows.length > 0;
}

/** The databag rows of one store: `stmt` prepares (and caches) its statements. */
export class DatabagRows {
  constructor(
    private readonly stmt: (sql: string) => Database.Statement,
    private readonly cipher: StoreCipher,
  ) {}

  /** Every bag of the relation, in owner order (the order the cache keeps). */
  relation(relationId: number): BagRow[] {
    const versions = this.stmt(
      `SELECT owner, version FROM databags WHERE relation_id = ? ORDER BY owner`,
    ).all(relationId) as { owner: string; version: number }[];
    const bags = new Map<string, Record<string, string>>();
    for (const row of this.stmt(
      `SELECT owner, key, value FROM databag_keys WHERE relation_id = ? ORDER BY owner, key`,
    ).all(relationId) as { owner: string; key: string; value: string }[]) {
      let bag = bags.get(row.owner);
      if (bag === undefined) bags.set(row.owner, (bag = {}));
      bag[row.key] = this.cipher.open(row.value, WHERE);
    }
    return versions.map((v) => ({
      owner: v.owner,
      version: v.version,
      data: bags.get(v.owner) ?? {},
    }));
  }

  /** One bag; version 0 and no data when the owner never wrote it. */
  one(relationId: number, owner: string): { data: Record<string, string>; version: number } {
    const row = this.stmt(`SELECT version FROM databags WHERE relation_id = ? AND owner = ?`).get(
      relationId,
      owner,
    ) as { version: number } | undefined;
    const data: Record<string, string> = {};
    for (const r of this.stmt(
      `SELECT key, value FROM databag_keys WHERE relation_id = ? AND owner = ? ORDER BY key`,
    ).all(relationId, owner) as { key: string; value: string }[]) {
      data[r.key] = this.cipher.open(r.value, WHERE);
    }
    return { data, version: row?.version ?? 0 };
  }

  /** Stores the changed keys (`""` deletes one) and the owner's new version. */
  write(relationId: number, owner: string, changed: Record<string, string>, version: number): void {
    const del = this.stmt(
      `DELETE FROM databag_keys WHERE relation_id = ? AND owner = ? AND key = ?`,
    );
    const set = this.stmt(
      `INSERT INTO databag_keys (relation_id, owner, key, value) VALUES (?, ?, ?, ?)
         ON CONFLICT (relation_id, owner, key) DO UPDATE SET value = excluded.value`,
    );
    for (const [key, value] of Object.entries(changed)) {
      if (value === '') del.run(relationId, owner, key);
      else set.run(relationId, owner, key, this.cipher.seal(value));
    }
    this.stmt(
      `INSERT INTO databags (relation_id, owner, version) VALUES (?, ?, ?)
         ON CONFLICT (relation_id, owner) DO UPDATE SET version = excluded.version`,
    ).run(relationId, owner, version);
  }

  /** The owner (a unit or an application) leaves every relation. */
  removeOwner(owner: string): void {
    this.stmt(`DELETE FROM databag_keys WHERE owner = ?`).run(owner);
    this.stmt(`DELETE FROM databags WHERE owner = ?`).run(owner);
  }

  removeRelation(relationId: number): void {
    this.stmt(`DELETE FROM databag_keys WHERE relation_id = ?`).run(relationId);
    this.stmt(`DELETE FROM databags WHERE relation_id = ?`).run(relationId);
  }
}
