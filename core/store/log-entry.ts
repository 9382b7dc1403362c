// One entry of the replicated store's log: the writes of one committed transaction, in order,
// with the clock readings they took, so a replay on another member writes the same rows.
// Sealed with the store key like the store's own secret columns: entries hold bag values.
import { deserialize, serialize } from 'node:v8';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { isSealed, type StoreCipher } from './store-cipher.js';
import { LogEntryUnsealedError } from './errors.js';
import type { StoreMethod } from './store-methods.js';

export interface LoggedCall {
  method: StoreMethod;
  /** The arguments as v8 serialized them at the call (undefined fields kept: they clear). */
  args: Uint8Array;
}

export interface LogEntry {
  calls: LoggedCall[];
  /** Every store clock reading of the transaction, in order (ms since the epoch). */
  clock: number[];
}

/** The whole store as one SQLite image: a single controller's store moved into etcd by
 * enable-ha. Too large for one etcd request, it is written in pieces before the entry. */
export interface ImageEntry {
  image: { pieces: number; sha256: string; bytes: number };
}

export const isImage = (entry: LogEntry | ImageEntry): entry is ImageEntry => 'image' in entry;

export const encodeArgs = (args: readonly unknown[]): Uint8Array => serialize(args);
export const decodeArgs = (args: Uint8Array): unknown[] => deserialize(args) as unknown[];

export function encodeEntry(entry: LogEntry | ImageEntry, cipher: StoreCipher): string {
  return seal(serialize(entry), cipher);
}

export function decodeEntry(text: string, seq: number, cipher: StoreCipher): LogEntry | ImageEntry {
  return deserialize(open(text, seq, cipher)) as LogEntry | ImageEntry;
}

/** Deflated, then sealed as base64 text (the cipher seals strings). */
export function seal(bytes: Uint8Array, cipher: StoreCipher): string {
  return cipher.seal(deflateRawSync(bytes).toString('base64'));
}

export function open(text: string, seq: number, cipher: StoreCipher): Buffer {
  // open() passes unsealed text through (SQLite's defaults); an entry must be sealed.
  if (!isSealed(text)) throw new LogEntryUnsealedError(seq);
  return inflateRawSync(Buffer.from(cipher.open(text, `replicated log entry ${seq}`), 'base64'));
}
