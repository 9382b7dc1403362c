// The store the contract tests run against: SQLite by default; with the `store-on-etcd` vitest
// project (vitest.config.ts), the replicated store on a real etcd (core/store/etcd-store.ts). There,
// opening a file a second time builds a new replica from the log alone, so every "reopen" in
// these tests also checks that replaying the log writes what the first store wrote.
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { inject } from 'vitest';
import { claimStoreLog, openEtcdStore } from '../../../core/store/etcd-store.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import type { Store } from '../../../core/store/types.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The client URL of the etcd the store-on-etcd project started. */
    storeEtcd?: string;
  }
}

/** The backend this run tests: what a test name can say. */
export const storeBackend = (): 'sqlite' | 'etcd' => (inject('storeEtcd') ? 'etcd' : 'sqlite');

const opened = new Map<string, number>();

export function openStore(file: string, now?: () => Date): Store {
  const endpoint = inject('storeEtcd');
  if (!endpoint) return new SqliteStore(file, now);
  const n = (opened.get(file) ?? 0) + 1;
  opened.set(file, n);
  const id = createHash('sha256').update(file).digest('hex').slice(0, 16);
  const connection = { endpoints: [endpoint] };
  const prefix = `/rune-test/${id}/store/`;
  claimStoreLog(connection, prefix, id);
  const store = openEtcdStore({
    file: `${file}.replica-${n}`,
    keyFile: join(dirname(file), 'store.key'),
    connection,
    prefix,
    owner: id,
    ...(now && { now }),
  });
  store.activate();
  return store;
}
