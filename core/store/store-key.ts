// The controller's store key (issue 15 item 6): 32 random bytes in a 0600 file beside store.db,
// the AES-256-GCM key its secret values are sealed with. A key is named by an id derived from it
// (never the key itself), which the store records so a wrong or missing key file is caught at open.
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { StoreKeyFileError } from './errors.js';

export const STORE_KEY_BYTES = 32;

export interface StoreKey {
  /** 16 hex characters of a hash of the key: safe to print, log and record in the store. */
  readonly id: string;
  readonly bytes: Buffer;
}

export function storeKeyId(bytes: Buffer): string {
  return createHash('sha256').update('rune store key\0').update(bytes).digest('hex').slice(0, 16);
}

export function newStoreKey(): StoreKey {
  const bytes = randomBytes(STORE_KEY_BYTES);
  return { id: storeKeyId(bytes), bytes };
}

export function readStoreKey(file: string): StoreKey {
  const bytes = readFileSync(file);
  if (bytes.length !== STORE_KEY_BYTES) {
    throw new StoreKeyFileError(file, `holds ${bytes.length} bytes, not ${STORE_KEY_BYTES}`);
  }
  // Someone's cp or editor may have widened it; the key is worth as much as the whole store.
  chmodSync(file, 0o600);
  return { id: storeKeyId(bytes), bytes };
}

/** Writes the key to `file` (0600 from its first byte), durably: the store can only be read
 * with it, so it must be on disk before any value sealed with it is. Never overwrites. */
export function writeStoreKey(file: string, key: StoreKey): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, key.bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDir(dirname(file));
}

/** Where a rotation keeps the next key until the store's transaction has committed. */
export const nextKeyFile = (file: string): string => `${file}.next`;

/**
 * Makes `key` the one in `file`, atomically (temp file, rename), from memory rather than from the
 * next key file: the rotation's own copy of its key does not depend on that file surviving.
 * Then the next key file, if any, has served its purpose.
 */
export function replaceStoreKey(file: string, key: StoreKey): void {
  const temp = `${file}.tmp`;
  rmSync(temp, { force: true });
  writeStoreKey(temp, key);
  renameSync(temp, file);
  syncDir(dirname(file));
  dropNextKey(file);
}

/** A rotation that died before its transaction committed left a next key nothing uses. */
export function dropNextKey(file: string): void {
  rmSync(nextKeyFile(file), { force: true });
}

export const hasNextKey = (file: string): boolean => existsSync(nextKeyFile(file));

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
