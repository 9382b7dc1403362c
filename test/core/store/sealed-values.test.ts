// Secrets at rest (issue 15 item 6): store.db and its WAL files are 0600, and a private key
// written through the store is not in their bytes (nor in an older store's, once opened), while
// every reader gets it back as written.
import Database from 'better-sqlite3';
import { chmodSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sealExistingValues, sealedColumnsOf } from '../../../core/store/sealed-columns.js';
import { isSealed } from '../../../core/store/store-cipher.js';
import { MIGRATIONS, SqliteStore } from '../../../core/store/sqlite-store.js';
import {
  privateKeyPem,
  rawStoreText,
  readSecretEverywhere,
  tempDir,
  writeSecretEverywhere,
} from './sealed-store-setup.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function storeFile(): string {
  const dir = tempDir();
  dirs.push(dir);
  return join(dir, 'store.db');
}

const mode = (file: string) => statSync(file).mode & 0o777;
/** A line from the middle of the PEM: the key material itself, not only its header. */
const keyLine = (pem: string) => pem.split('\n')[1] ?? '';

describe('store files', () => {
  it('creates store.db, its WAL files and its key file readable by the owner only', () => {
    const file = storeFile();
    const store = new SqliteStore(file);
    store.setModelConfig({ 'update-status-interval': '5m' });
    for (const f of [file, `${file}-wal`, `${file}-shm`, join(file, '..', 'store.key')]) {
      expect([f, mode(f).toString(8)]).toEqual([f, '600']);
    }
    expect(readFileSync(join(file, '..', 'store.key'))).toHaveLength(32);
    store.close();
  });

  it('narrows a store an older Rune left 0644', () => {
    const file = storeFile();
    new SqliteStore(file).close();
    chmodSync(file, 0o644);
    new SqliteStore(file).close();
    expect(mode(file).toString(8)).toBe('600');
  });
});

describe('sealed values', () => {
  it('keeps a private key written through the store out of the files, and reads it back', () => {
    const file = storeFile();
    const pem = privateKeyPem();
    const store = new SqliteStore(file);
    writeSecretEverywhere(store, pem);
    // While the controller runs, the latest pages are in the WAL.
    expect(existsSync(`${file}-wal`)).toBe(true);
    let raw = rawStoreText(file);
    expect(raw).not.toContain('PRIVATE KEY');
    expect(raw).not.toContain(keyLine(pem));
    const expected = Array<string>(12).fill(pem);
    expect(readSecretEverywhere(store)).toEqual(expected);
    store.close();

    raw = rawStoreText(file);
    expect(raw).not.toContain('PRIVATE KEY');
    expect(raw).not.toContain(keyLine(pem));
    const reopened = new SqliteStore(file);
    expect(readSecretEverywhere(reopened)).toEqual(expected);
    reopened.close();
  });

  it('leaves no value unsealed in any sealed column but the defaults SQLite writes', () => {
    const file = storeFile();
    const store = new SqliteStore(file);
    writeSecretEverywhere(store, 'a secret');
    store.hookStarted({ unit: 'easyrsa/0', hook: 'start', detail: {}, startedAt: 'now' });
    store.close();
    const db = new Database(file, { readonly: true });
    for (const { table, column } of sealedColumnsOf(db)) {
      const values = (
        db.prepare(`SELECT ${column} AS v FROM ${table} WHERE ${column} IS NOT NULL`).all() as {
          v: string;
        }[]
      ).map((r) => r.v);
      expect(values.length, `${table}.${column} has rows`).toBeGreaterThan(0);
      const plain = values.filter((v) => !isSealed(v) && !['{}', '[]', ''].includes(v));
      expect(plain, `${table}.${column}`).toEqual([]);
    }
    db.close();
  });

  it('seals the values of a store written before encryption, leaving no plain text behind', () => {
    const file = storeFile();
    const pem = privateKeyPem();
    // The store as the last Rune without encryption left it: every migration before sealing.
    const db = new Database(file);
    const sealing = MIGRATIONS.indexOf(sealExistingValues);
    for (const migration of MIGRATIONS.slice(0, sealing)) db.exec(migration as string);
    db.pragma(`user_version = ${sealing}`);
    db.prepare(
      `INSERT INTO applications (name, charm, charm_dir, subordinate, config, constraints)
         VALUES ('easyrsa', 'easyrsa', '/c', 0, ?, '')`,
    ).run(JSON.stringify({ 'ca-key': pem }));
    db.prepare(
      `INSERT INTO leader_settings (application, key, value) VALUES ('easyrsa', ?, ?)`,
    ).run('ca_key', pem);
    db.prepare(`INSERT INTO relations (id, endpoints) VALUES (0, '[]')`).run();
    db.prepare(`INSERT INTO databags (relation_id, owner, data, version) VALUES (0, ?, ?, 1)`).run(
      'easyrsa/0',
      JSON.stringify({ client_key: pem }),
    );
    db.close();
    chmodSync(file, 0o644);
    expect(rawStoreText(file)).toContain('PRIVATE KEY');

    const store = new SqliteStore(file);
    expect(store.application('easyrsa')?.config['ca-key']).toBe(pem);
    expect(store.leaderSettings('easyrsa').ca_key).toBe(pem);
    expect(store.databag(0, 'easyrsa/0').data.client_key).toBe(pem);
    const raw = rawStoreText(file);
    expect(raw).not.toContain('PRIVATE KEY');
    expect(raw).not.toContain(keyLine(pem));
    expect(mode(file).toString(8)).toBe('600');
    expect(mode(join(file, '..', 'store.key')).toString(8)).toBe('600');
    store.close();
  });
});
