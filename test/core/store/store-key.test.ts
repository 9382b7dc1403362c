// The store key (issue 15 item 6): a wrong, missing or damaged key is a clear error at open or
// read, never garbage; a rotation re-seals every value with a new key and leaves nothing under
// the old one; a rotation that died half-way is finished or forgotten at the next open.
import Database from 'better-sqlite3';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  StoreDecryptError,
  StoreKeyFileError,
  StoreKeyMismatchError,
  StoreKeyMissingError,
} from '../../../core/store/errors.js';
import { sealedColumnsOf } from '../../../core/store/sealed-columns.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { storeKeyId } from '../../../core/store/store-key.js';
import {
  privateKeyPem,
  rawStoreText,
  readSecretEverywhere,
  tempDir,
  writeSecretEverywhere,
} from './sealed-store-setup.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function paths(): { file: string; key: string } {
  const dir = tempDir();
  dirs.push(dir);
  return { file: join(dir, 'store.db'), key: join(dir, 'store.key') };
}

function storeWithSecret(file: string, secret = 'the secret'): void {
  const store = new SqliteStore(file);
  writeSecretEverywhere(store, secret);
  store.close();
}

const keyIdOf = (keyFile: string) => storeKeyId(readFileSync(keyFile));

describe('opening with the wrong key', () => {
  it('refuses another key file, naming both keys and the way out', () => {
    const { file, key } = paths();
    storeWithSecret(file);
    const right = keyIdOf(key);
    writeFileSync(key, randomBytes(32), { mode: 0o600 });
    const open = () => new SqliteStore(file);
    expect(open).toThrow(StoreKeyMismatchError);
    expect(open).toThrow(
      `is encrypted with store key ${right}, but ${key} holds key ${keyIdOf(key)}; ` +
        'put back the key file backed up with this store',
    );
  });

  it('refuses to start over when the key file is gone, rather than make a new one', () => {
    const { file, key } = paths();
    storeWithSecret(file);
    rmSync(key);
    expect(() => new SqliteStore(file)).toThrow(StoreKeyMissingError);
    expect(() => new SqliteStore(file)).toThrow(/its key file .*store\.key is missing; restore/);
    expect(existsSync(key)).toBe(false);
  });

  it('refuses a key file that is not 32 bytes', () => {
    const { file, key } = paths();
    storeWithSecret(file);
    writeFileSync(key, 'hunter2\n');
    expect(() => new SqliteStore(file)).toThrow(StoreKeyFileError);
    expect(() => new SqliteStore(file)).toThrow(/holds 8 bytes, not 32/);
  });

  it('fails on a damaged value with the column it is in, not with garbage', () => {
    const { file } = paths();
    storeWithSecret(file);
    const db = new Database(file);
    const { value } = db.prepare(`SELECT value FROM leader_settings`).get() as { value: string };
    const flipped = value.slice(0, -6) + (value.at(-6) === 'A' ? 'B' : 'A') + value.slice(-5);
    db.prepare(`UPDATE leader_settings SET value = ?`).run(flipped);
    db.close();
    const store = new SqliteStore(file);
    expect(() => store.leaderSettings('easyrsa')).toThrow(StoreDecryptError);
    expect(() => store.leaderSettings('easyrsa')).toThrow(
      /a value in leader_settings\.value does not decrypt with store key [0-9a-f]{16}/,
    );
    store.close();
  });

  it('fails on a value copied from another store, naming the key it was sealed with', () => {
    const one = paths();
    const other = paths();
    storeWithSecret(one.file);
    storeWithSecret(other.file);
    const theirs = new Database(other.file, { readonly: true });
    const { value } = theirs.prepare(`SELECT value FROM leader_settings`).get() as {
      value: string;
    };
    theirs.close();
    const ours = new Database(one.file);
    ours.prepare(`UPDATE leader_settings SET value = ?`).run(value);
    ours.close();
    const store = new SqliteStore(one.file);
    expect(() => store.leaderSettings('easyrsa')).toThrow(
      `a value in leader_settings.value is sealed with store key ${keyIdOf(other.key)}, ` +
        `not the current key ${keyIdOf(one.key)}`,
    );
    store.close();
  });
});

describe('rotateKey', () => {
  it('re-seals every value with a new key file; the old key no longer opens the store', () => {
    const { file, key } = paths();
    const pem = privateKeyPem();
    storeWithSecret(file, pem);
    const oldKey = readFileSync(key);
    const store = new SqliteStore(file);
    const rotated = store.rotateKey();
    expect(rotated.from).toBe(storeKeyId(oldKey));
    expect(rotated.to).toBe(keyIdOf(key));
    expect(rotated.to).not.toBe(rotated.from);
    expect(readSecretEverywhere(store)).toEqual(Array<string>(12).fill(pem));
    store.close();

    const db = new Database(file, { readonly: true });
    let sealed = 0;
    for (const { table, column } of sealedColumnsOf(db)) {
      for (const { v } of db.prepare(`SELECT ${column} AS v FROM ${table}`).all() as {
        v: string | null;
      }[]) {
        if (v?.startsWith('enc1:')) {
          expect(v.startsWith(`enc1:${rotated.to}:`), `${table}.${column}`).toBe(true);
          sealed++;
        }
      }
    }
    db.close();
    expect(sealed).toBe(rotated.values);
    const raw = rawStoreText(file);
    expect(raw).not.toContain(`enc1:${rotated.from}`);
    expect(raw).not.toContain('PRIVATE KEY');

    const reopened = new SqliteStore(file);
    expect(readSecretEverywhere(reopened)).toEqual(Array<string>(12).fill(pem));
    reopened.close();
    writeFileSync(key, oldKey);
    expect(() => new SqliteStore(file)).toThrow(StoreKeyMismatchError);
  });

  it('finishes a rotation that committed but died before its key file was renamed', () => {
    const { file, key } = paths();
    storeWithSecret(file);
    const oldKey = readFileSync(key);
    const store = new SqliteStore(file);
    const { to } = store.rotateKey();
    store.close();
    // The state a crash between the commit and the rename leaves.
    writeFileSync(`${key}.next`, readFileSync(key), { mode: 0o600 });
    writeFileSync(key, oldKey);
    const reopened = new SqliteStore(file);
    expect(readSecretEverywhere(reopened)[0]).toBe('the secret');
    reopened.close();
    expect(keyIdOf(key)).toBe(to);
    expect(existsSync(`${key}.next`)).toBe(false);
  });

  it('forgets the next key of a rotation that died before it committed', () => {
    const { file, key } = paths();
    storeWithSecret(file);
    const current = keyIdOf(key);
    writeFileSync(`${key}.next`, randomBytes(32), { mode: 0o600 });
    const store = new SqliteStore(file);
    expect(readSecretEverywhere(store)[0]).toBe('the secret');
    store.close();
    expect(keyIdOf(key)).toBe(current);
    expect(existsSync(`${key}.next`)).toBe(false);
  });
});
