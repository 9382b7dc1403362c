// One controller process per store (issue 15 item 7): an exclusive SQLite lock on a database of
// its own, controller.lock, held for the process's whole life. The OS drops it when the process
// dies, however it dies, so a lock is never stale and nothing ever has to break one.
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { RuneError } from '../model/errors.js';

// Loaded when a lock is taken or probed, not when the CLI starts: every command imports this
// module (to tell a silent controller from a dead one), and most never touch a lock.
const load = (): typeof Database =>
  createRequire(import.meta.url)('better-sqlite3') as typeof Database;

export class ControllerLockedError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly lockFile: string,
    readonly pid: number | undefined,
  ) {
    super(
      `controller "${controller}" is already running on this store ` +
        `(${pid === undefined ? 'a process' : `pid ${pid}`} holds ${lockFile}); ` +
        'this one changed nothing and stops: use the running one, or stop it first ' +
        `(rune destroy-controller ${controller}, or ${pid === undefined ? `fuser ${lockFile}` : `kill ${pid}`})`,
    );
  }
}

/** Held until `release` or the process's end. */
export interface StoreLock {
  release(): void;
}

/**
 * Takes the lock or throws ControllerLockedError naming its holder. Waits up to `waitMs` for a
 * lock held a moment only: a CLI probing it (`probeStoreLock`) holds a read lock for microseconds.
 */
export function acquireStoreLock(controller: string, file: string, waitMs = 1000): StoreLock {
  const db = new (load())(file, { timeout: waitMs });
  try {
    chmodSync(file, 0o600);
    // In exclusive locking mode a connection keeps the lock it took once a write has taken it,
    // instead of dropping it at commit; the write is the table made below.
    db.pragma('locking_mode = EXCLUSIVE');
    // Nothing in it is worth a journal file beside it.
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS held (since TEXT)');
    db.exec('COMMIT');
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY') {
      throw new ControllerLockedError(controller, file, lockHolder(file));
    }
    throw e;
  }
  // `db` must stay reachable: a connection the garbage collector finalizes closes, and with it
  // goes the lock (seen while choosing this: gone within a second of an idle process).
  held.add(db);
  return {
    release: () => {
      held.delete(db);
      if (db.open) db.close();
    },
  };
}

const held = new Set<Database.Database>();

export type LockProbe = { held: false } | { held: true; pid: number | undefined };

/** Whether some process holds the lock (never this one's own connection), and which. */
export function probeStoreLock(file: string): LockProbe {
  if (!existsSync(file)) return { held: false };
  let db: Database.Database;
  try {
    db = new (load())(file, { readonly: true, fileMustExist: true, timeout: 0 });
  } catch {
    return { held: false };
  }
  try {
    // A read needs a shared lock, which an exclusive one refuses at once (timeout 0).
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return { held: false };
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY')
      return { held: true, pid: lockHolder(file) };
    throw e;
  } finally {
    db.close();
  }
}

/** The pid holding a write lock on `file`, from /proc/locks (Linux); undefined elsewhere. */
export function lockHolder(file: string): number | undefined {
  try {
    return holderFromProcLocks(readFileSync('/proc/locks', 'utf8'), statSync(file).ino);
  } catch {
    return undefined;
  }
}

/**
 * Parses /proc/locks ("1: POSIX  ADVISORY  WRITE 4711 fe:00:2277863 1073741824 1073742335";
 * lines with "->" are waiters, not holders). Matched on the inode alone: the device numbers
 * there are the superblock's, which differ from stat's on btrfs subvolumes and overlays.
 */
export function holderFromProcLocks(text: string, inode: number): number | undefined {
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === '->') continue;
    const [, type, , access, pid, where] = fields;
    if (type !== 'POSIX' || access !== 'WRITE' || where === undefined) continue;
    if (where.split(':')[2] === String(inode)) return Number(pid);
  }
  return undefined;
}
