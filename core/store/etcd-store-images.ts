// The replicated store's images (etcd-store.ts): the whole SQLite store as one log entry, for
// enable-ha's move into etcd and for compaction, written in sealed pieces (etcd takes 1.5 MiB a
// request) before the entry naming them; and the owner mark that tells one controller's store
// from another's.
import { createHash } from 'node:crypto';
import type { EtcdConnection, Fence } from './etcd-log.js';
import { SyncEtcdLog } from './etcd-log-sync.js';
import {
  ReplicaDivergedError,
  StoreFencedError,
  StoreLogNotEmptyError,
  StoreOwnerError,
} from './errors.js';
import { encodeEntry, type ImageEntry, open, seal } from './log-entry.js';
import type { SqliteStore } from './sqlite-store.js';
import type { StoreCipher } from './store-cipher.js';

/** An image's piece, before deflating and sealing: well under etcd's 1.5 MiB request limit. */
const PIECE_BYTES = 512 * 1024;

const pieceKey = (seq: number, i: number) => `image/${seq}/${i}`;
/** The key under a store's prefix that names the controller it belongs to. */
export const OWNER_KEY = 'owner';

/**
 * Makes `store`'s whole content the first entry of an empty log under `prefix`: enable-ha's move
 * of a single controller's model into etcd. Resolves to the entry's number.
 */
export function seedStoreLog(
  connection: EtcdConnection,
  prefix: string,
  owner: string,
  store: SqliteStore,
): number {
  const log = new SyncEtcdLog(connection, prefix);
  const head = log.head();
  if (head !== 0) throw new StoreLogNotEmptyError(prefix, head);
  claimStoreLog(connection, prefix, owner);
  const appended = appendImage(log, 0, store.image(), store.logCipher, undefined);
  if (!appended) throw new StoreFencedError(0, log.head());
  return 1;
}

/** Marks the place under `prefix` as `owner`'s store (a new, empty one, or the one it has). */
export function claimStoreLog(connection: EtcdConnection, prefix: string, owner: string): void {
  const log = new SyncEtcdLog(connection, prefix);
  const found = log.get(OWNER_KEY);
  if (found === null) log.put(OWNER_KEY, owner);
  else if (found !== owner) throw new StoreOwnerError(prefix, owner, found);
}

/** Writes the image's pieces, then the entry naming them; false when the append was refused. */
export function appendImage(
  log: SyncEtcdLog,
  after: number,
  image: Buffer,
  cipher: StoreCipher,
  fence: Fence | undefined,
): boolean {
  const seq = after + 1;
  const pieces = Math.max(1, Math.ceil(image.length / PIECE_BYTES));
  for (let i = 0; i < pieces; i++) {
    log.put(pieceKey(seq, i), seal(image.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES), cipher));
  }
  const sha256 = createHash('sha256').update(image).digest('hex');
  const entry: ImageEntry = { image: { pieces, sha256, bytes: image.length } };
  return log.append(after, encodeEntry(entry, cipher), fence).ok;
}

/** The image entry `seq` names, fetched piece by piece and checked against its digest. */
export function readImage(
  log: SyncEtcdLog,
  seq: number,
  entry: ImageEntry,
  cipher: StoreCipher,
  replicaFile: string,
): Buffer {
  const pieces: Buffer[] = [];
  for (let i = 0; i < entry.image.pieces; i++) {
    const text = log.get(pieceKey(seq, i));
    if (text === null) throw new ReplicaDivergedError(replicaFile, seq, `piece ${i} is missing`);
    pieces.push(open(text, seq, cipher));
  }
  const image = Buffer.concat(pieces);
  if (createHash('sha256').update(image).digest('hex') !== entry.image.sha256) {
    throw new ReplicaDivergedError(replicaFile, seq, 'the image does not match its digest');
  }
  return image;
}
