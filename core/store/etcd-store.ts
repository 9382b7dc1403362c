// The HA controller's store (DESIGN §3): the model lives in etcd as a log of committed
// transactions, and each controller member serves reads from its own SQLite replica of it, as
// Juju 4 and rqlite do over Raft. The active member applies a transaction to its replica and
// appends it to the log before the commit returns; the members standing by replay the log.
import { rmSync, writeFileSync } from 'node:fs';
import { connect, EtcdLog, type EtcdConnection, type Fence } from './etcd-log.js';
import { SyncEtcdLog } from './etcd-log-sync.js';
import { appendImage, OWNER_KEY, readImage } from './etcd-store-images.js';
import {
  ReplicaDivergedError,
  StoreFencedError,
  StoreOwnerError,
  StoreReadOnlyError,
} from './errors.js';
import {
  decodeArgs,
  decodeEntry,
  encodeArgs,
  encodeEntry,
  isImage,
  type ImageEntry,
  type LogEntry,
} from './log-entry.js';
import { SqliteStore } from './sqlite-store.js';
import { STORE_METHODS, type StoreMethod } from './store-methods.js';
import type { Store } from './types.js';

export interface EtcdStoreOptions {
  /** This member's replica (a SQLite store file); rebuilt from the log when missing. */
  file: string;
  keyFile?: string;
  connection: EtcdConnection;
  /** The controller's keys in etcd: `/rune/<controller uuid>/store/`. */
  prefix: string;
  /** Who the store under `prefix` belongs to, as seedStoreLog recorded it: a member of another
   * controller (or one pointed at the wrong etcd) is refused rather than given an empty model. */
  owner: string;
  now?: () => Date;
  /** Entries between two images: past it, the active member writes the whole store as the
   * next entry and deletes what came before (default COMPACT_EVERY). */
  compactEvery?: number;
  /** Called once when another writer took the log over; the store then stands by. */
  onFenced?: (error: StoreFencedError) => void;
}

/** What an HA controller does with its store beyond the Store contract. */
export interface Replication {
  /** Applies every entry the log has beyond the replica; resolves to the last applied. */
  catchUp(): number;
  /** Catches up, then takes writes; each append is valid only while `fence` holds. */
  activate(fence?: Fence): void;
  /** Writes are refused from now on. */
  standBy(): void;
  readonly active: boolean;
  /** The last log entry the replica holds. */
  readonly applied: number;
  /** Replays the active member's entries as they are appended, until the returned stop is
   * called; `applied` after each batch that moved the replica (the controller bumps its event
   * bus then: what it caches per model change is stale). */
  follow(applied?: () => void): Promise<() => Promise<void>>;
}

export type EtcdStore = Store & Replication;

/** Entries read per round trip when catching up. */
const PAGE = 500;
/** A transaction entry is a few hundred bytes; an image of a 10,000-unit store tens of MB. */
export const COMPACT_EVERY = 20_000;
export { claimStoreLog, seedStoreLog } from './etcd-store-images.js';

/** Opens this member's replica of the store in etcd, caught up, standing by. */
export function openEtcdStore(options: EtcdStoreOptions): EtcdStore {
  const clock = new LogClock(options.now ?? (() => new Date()));
  const replication = new LogReplication(clock, options);
  replication.catchUp();
  return replication.store;
}

/** The store's clock: live on the active member (each reading kept for the entry), and on a
 * replaying member the readings the entry kept, in the same order. */
class LogClock {
  private recorded: number[] | undefined;
  private replaying: number[] | undefined;

  constructor(private readonly live: () => Date) {}

  now(): Date {
    const next = this.replaying?.shift();
    if (next !== undefined) return new Date(next);
    const now = this.live();
    this.recorded?.push(now.getTime());
    return now;
  }

  record(into: number[] | undefined): void {
    this.recorded = into;
  }

  replay(readings: number[] | undefined): void {
    this.replaying = readings && [...readings];
  }
}

class LogReplication implements Replication {
  readonly store: EtcdStore;
  private readonly log: SyncEtcdLog;
  /** Replaced whole when an image entry is applied. */
  private replica: SqliteStore;
  private fence: Fence | undefined;
  private writable = false;
  /** The transaction being recorded on the active member. */
  private batch: LogEntry | undefined;
  private appliedSeq: number;
  /** The last image entry applied or written (compaction counts from it). */
  private lastImage = 0;

  constructor(
    private readonly clock: LogClock,
    private readonly options: EtcdStoreOptions,
  ) {
    this.log = new SyncEtcdLog(options.connection, options.prefix);
    const owner = this.log.get(OWNER_KEY);
    if (owner !== options.owner) throw new StoreOwnerError(options.prefix, options.owner, owner);
    this.replica = this.openReplica();
    this.appliedSeq = this.replica.replicationMark();
    const head = this.log.head();
    if (this.appliedSeq > head) {
      this.replica.close();
      throw new ReplicaDivergedError(
        options.file,
        this.appliedSeq,
        `the replica is at entry ${this.appliedSeq} but the log in etcd ends at ${head}`,
      );
    }
    this.store = this.facade();
  }

  get active(): boolean {
    return this.writable;
  }

  get applied(): number {
    return this.appliedSeq;
  }

  catchUp(): number {
    for (;;) {
      const entries = this.log.after(this.appliedSeq, PAGE);
      for (const [seq, text] of entries) {
        this.apply(seq, decodeEntry(text, seq, this.replica.logCipher));
      }
      if (entries.length < PAGE) return this.appliedSeq;
    }
  }

  activate(fence?: Fence): void {
    this.catchUp();
    this.fence = fence;
    this.writable = true;
  }

  standBy(): void {
    this.writable = false;
    this.fence = undefined;
  }

  async follow(applied?: () => void): Promise<() => Promise<void>> {
    const client = connect(this.options.connection);
    const log = new EtcdLog(client, this.options.prefix);
    const apply = () => {
      const before = this.appliedSeq;
      this.catchUp();
      if (this.appliedSeq !== before) applied?.();
    };
    const stop = await log.watch(() => {
      // The active member's own appends are in its replica already.
      if (!this.writable) apply();
    });
    apply();
    return async () => {
      await stop();
      client.close();
    };
  }

  private openReplica(): SqliteStore {
    const { keyFile } = this.options;
    return new SqliteStore(this.options.file, () => this.clock.now(), {
      ...(keyFile !== undefined && { keyFile }),
    });
  }

  private apply(seq: number, entry: LogEntry | ImageEntry): void {
    // An image stands alone: it may follow a gap (what compaction deleted before it).
    if (isImage(entry)) return this.applyImage(seq, entry);
    if (seq !== this.appliedSeq + 1) {
      throw new ReplicaDivergedError(
        this.options.file,
        seq,
        `the replica is at entry ${this.appliedSeq}; the entries between were compacted away`,
      );
    }
    this.clock.replay(entry.clock);
    try {
      this.replica.transaction(() => {
        for (const call of entry.calls) this.invoke(call.method, decodeArgs(call.args));
        this.replica.setReplicationMark(seq);
      });
    } catch (e) {
      throw new ReplicaDivergedError(this.options.file, seq, e);
    } finally {
      this.clock.replay(undefined);
    }
    this.appliedSeq = seq;
  }

  /** The replica becomes the image: its file is replaced, then opened (and migrated) again. */
  private applyImage(seq: number, entry: ImageEntry): void {
    const image = readImage(this.log, seq, entry, this.replica.logCipher, this.options.file);
    this.replica.close();
    for (const f of [`${this.options.file}-wal`, `${this.options.file}-shm`])
      rmSync(f, { force: true });
    writeFileSync(this.options.file, image, { mode: 0o600 });
    this.replica = this.openReplica();
    this.replica.setReplicationMark(seq);
    this.appliedSeq = seq;
    this.lastImage = seq;
  }

  /** Writes the whole replica as the next entry, then deletes the log before it. A failure only
   * postpones it: the next commit tries again. */
  private compact(): void {
    const after = this.appliedSeq;
    const seq = after + 1;
    this.replica.setReplicationMark(seq);
    const image = this.replica.image();
    let appended = false;
    try {
      appended = appendImage(this.log, after, image, this.replica.logCipher, this.fence);
    } catch {
      // etcd did not answer: the commit that called this has landed; compaction waits.
    }
    if (!appended) {
      // Refused (another writer: the next write finds out) or not answered.
      this.replica.setReplicationMark(after);
      return;
    }
    this.appliedSeq = seq;
    this.lastImage = seq;
    try {
      this.log.dropBefore(seq);
    } catch {
      // Left for the next compaction, which deletes everything before its own image.
    }
  }

  /** The Store the controller uses: reads from the replica, writes through the log. */
  private facade(): EtcdStore {
    const store: Record<string, unknown> = {
      catchUp: () => this.catchUp(),
      activate: (fence?: Fence) => this.activate(fence),
      standBy: () => this.standBy(),
      follow: (applied?: () => void) => this.follow(applied),
      transaction: <T>(fn: () => T) => this.transaction(fn),
      close: () => this.replica.close(),
    };
    for (const [name, kind] of Object.entries(STORE_METHODS) as [StoreMethod, string][]) {
      const method = (...args: unknown[]): unknown => this.invoke(name, args);
      if (kind === 'read') store[name] = method;
      else if (kind === 'write') store[name] = this.writer(name, method);
    }
    Object.defineProperties(store, {
      active: { get: () => this.writable },
      applied: { get: () => this.appliedSeq },
      schemaVersion: { value: this.replica.schemaVersion },
    });
    return store as unknown as EtcdStore;
  }

  private invoke(name: StoreMethod, args: unknown[]): unknown {
    return (this.replica[name] as (...a: unknown[]) => unknown).apply(this.replica, args);
  }

  private writer(name: StoreMethod, method: (...args: unknown[]) => unknown) {
    return (...args: unknown[]): unknown => {
      if (!this.writable) throw new StoreReadOnlyError(name);
      // Encoded before the call: a caller that changes its object afterwards changes nothing.
      const call = { method: name, args: encodeArgs(args) };
      if (this.batch) return this.within(this.batch, () => method(...args), call);
      return this.commit(() => method(...args), call);
    };
  }

  private transaction<T>(fn: () => T): T {
    if (this.batch) return this.within(this.batch, fn);
    // Standing by, a transaction reads; any write in it is refused by writer().
    if (!this.writable) return this.replica.transaction(fn);
    return this.commit(fn);
  }

  /** Runs `fn` inside the batch being recorded; on failure the batch forgets what it added,
   * as SQLite's savepoint forgets its rows. */
  private within<T>(batch: LogEntry, fn: () => T, call?: LogEntry['calls'][number]): T {
    const calls = batch.calls.length;
    const readings = batch.clock.length;
    try {
      const result = this.replica.transaction(fn);
      if (call) batch.calls.push(call);
      return result;
    } catch (e) {
      batch.calls.length = calls;
      batch.clock.length = readings;
      throw e;
    }
  }

  /** One replica transaction, appended to the log before it commits: if etcd refuses or does
   * not answer, the transaction rolls back and the caller sees why. */
  private commit<T>(fn: () => T, call?: LogEntry['calls'][number]): T {
    const batch: LogEntry = { calls: [], clock: [] };
    this.batch = batch;
    this.clock.record(batch.clock);
    let appended: number | undefined;
    try {
      const result = this.replica.transaction(() => {
        const result = fn();
        if (call) batch.calls.push(call);
        if (batch.calls.length > 0) appended = this.append(batch);
        return result;
      });
      if (appended !== undefined) {
        this.appliedSeq = appended;
        if (appended - this.lastImage >= (this.options.compactEvery ?? COMPACT_EVERY))
          this.compact();
      }
      return result;
    } catch (e) {
      // The log has the entry but SQLite did not commit it: the replica takes it from the log.
      if (appended !== undefined) this.catchUp();
      throw e;
    } finally {
      this.batch = undefined;
      this.clock.record(undefined);
    }
  }

  /** Appends the batch as the next entry; resolves to its number. */
  private append(batch: LogEntry): number {
    const seq = this.appliedSeq + 1;
    this.replica.setReplicationMark(seq);
    const text = encodeEntry(batch, this.replica.logCipher);
    const appended = this.log.append(this.appliedSeq, text, this.fence);
    if (!appended.ok) {
      const error = new StoreFencedError(this.appliedSeq, appended.head);
      this.standBy();
      this.options.onFenced?.(error);
      throw error;
    }
    return seq;
  }
}
