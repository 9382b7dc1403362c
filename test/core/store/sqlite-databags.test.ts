// Databags stored a row per key (core/store/sqlite-databags.ts, migration 15): a store written
// before keeps every bag, key and version through the upgrade, sealed at rest, and reads and
// writes go on as before.
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { caStore } from './ca-store.js';
import { backToSchema14 } from './old-schema.js';
import { privateKeyPem, rawStoreText } from './sealed-store-setup.js';

describe('databags a row per key', () => {
  it('a store from before keeps every bag, key and version, sealed, and takes writes again', () => {
    const { store, file, relation } = caStore();
    const id = relation.id;
    const key = privateKeyPem();
    const bags: { relationId: number; owner: string; data: Record<string, string> }[] = [
      { relationId: id, owner: 'easyrsa/0', data: { ca: 'the CA', 'etcd_0.server.key': key } },
      { relationId: id, owner: 'etcd/0', data: { common_name: 'etcd0' } },
      { relationId: id, owner: 'etcd', data: {} },
    ];
    store.writeDatabag(id, 'easyrsa/0', { ca: 'old' });
    store.writeDatabag(id, 'easyrsa/0', { ca: 'x' });
    store.writeDatabag(id, 'etcd/0', { common_name: 'x' });
    store.writeDatabag(id, 'etcd', { x: '1' });
    store.close();
    // The same rows as the release before wrote them: one JSON text per bag, versions as were.
    backToSchema14(file, bags);

    const upgraded = new SqliteStore(file);
    expect(upgraded.schemaVersion).toBe(15);
    expect(upgraded.databags(id)).toEqual({
      'easyrsa/0': { ca: 'the CA', 'etcd_0.server.key': key },
      etcd: {},
      'etcd/0': { common_name: 'etcd0' },
    });
    expect(upgraded.databagVersions(id)).toEqual({ 'easyrsa/0': 2, etcd: 1, 'etcd/0': 1 });
    // The private key is sealed in its row, and the bag's old text compacted away.
    expect(rawStoreText(file)).not.toContain(key.split('\n')[1]);

    expect(upgraded.writeDatabag(id, 'easyrsa/0', { 'etcd_0.server.key': '', ca: 'the CA' })).toBe(
      true,
    );
    expect(upgraded.writeDatabag(id, 'easyrsa/0', { ca: 'the CA' })).toBe(false);
    upgraded.close();
    const again = new SqliteStore(file);
    expect(again.databag(id, 'easyrsa/0')).toEqual({
      relationId: id,
      owner: 'easyrsa/0',
      data: { ca: 'the CA' },
      version: 3,
    });
    again.close();
  });
});
