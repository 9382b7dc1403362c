// Finding the key a store opens with (issue 15 item 6): the key file's key must be the one the
// store recorded. A store not sealed yet gets a new key file at its first open; a rotation that
// died half-way is finished or forgotten here, by what the store's last transaction says.
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { StoreKeyMismatchError, StoreKeyMissingError } from './errors.js';
import { recordedKeyId } from './sealed-columns.js';
import {
  dropNextKey,
  hasNextKey,
  newStoreKey,
  nextKeyFile,
  readStoreKey,
  replaceStoreKey,
  type StoreKey,
  writeStoreKey,
} from './store-key.js';

export function unlockStore(db: Database.Database, file: string, keyFile: string): StoreKey {
  const recorded = recordedKeyId(db);
  const key = existsSync(keyFile) ? readStoreKey(keyFile) : undefined;
  if (recorded === undefined || key?.id === recorded) {
    // A next key is only ever current once the store records it: this one never was.
    dropNextKey(keyFile);
    return key ?? createKey(keyFile);
  }
  // The rotation committed its re-sealed values, then died before renaming its key into place.
  if (hasNextKey(keyFile)) {
    const next = readStoreKey(nextKeyFile(keyFile));
    if (next.id === recorded) {
      replaceStoreKey(keyFile, next);
      return next;
    }
  }
  if (!key) throw new StoreKeyMissingError(file, keyFile, recorded);
  throw new StoreKeyMismatchError(file, keyFile, recorded, key.id);
}

function createKey(keyFile: string): StoreKey {
  const created = newStoreKey();
  try {
    writeStoreKey(keyFile, created);
    return created;
  } catch (e) {
    // Another process opening the same new store wrote one first: both use that one.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readStoreKey(keyFile);
    throw e;
  }
}
