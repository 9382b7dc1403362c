// A fresh SQLite store holding easyrsa and etcd joined by tls-certificates (easyrsa:client ↔
// etcd:certificates): the interface with keys addressed to one unit, which the bag tests need.
// Each store's folder is removed after its test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Endpoint } from '../../../core/model/types.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import type { ModelStore } from '../../../core/store/types.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

export const tlsEndpoint = (
  application: string,
  name: string,
  role: Endpoint['role'],
): Endpoint => ({
  application,
  name,
  role,
  interface: 'tls-certificates',
  scope: 'global',
  optional: false,
});

/** Adds a plain application of each name (its charm named after it). */
export function addApplications(store: Pick<ModelStore, 'addApplication'>, names: string[]) {
  for (const name of names)
    store.addApplication({
      name,
      charm: name,
      charmDir: `/c/${name}`,
      subordinate: false,
      config: {},
      constraints: '',
    });
}

export function caStore() {
  const dir = mkdtempSync(join(tmpdir(), 'rune-ca-store-'));
  dirs.push(dir);
  const file = join(dir, 'store.db');
  const store = new SqliteStore(file);
  addApplications(store, ['easyrsa', 'etcd']);
  const client = tlsEndpoint('easyrsa', 'client', 'provider');
  const certificates = tlsEndpoint('etcd', 'certificates', 'requirer');
  const relation = store.addRelation([client, certificates]);
  return { store, file, relation, client, certificates };
}
