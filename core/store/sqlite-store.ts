// The embedded store: SQLite through better-sqlite3, WAL mode, one transaction per state change
// (DESIGN §3). Schema changes are numbered migrations; a newer schema than we know is refused.
// Files are 0600 and secret values sealed with the store key (sealed-columns.ts, store-key.ts).
import Database from 'better-sqlite3';
import { chmodSync, closeSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SchemaVersionError } from './errors.js';
import { SqliteModel } from './sqlite-model.js';
import { MachineRows } from './sqlite-machines.js';
import { LEADERSHIP_MIGRATION, leadershipStore } from './sqlite-leadership.js';
import { OPERATIONS_MIGRATION, operationsStore } from './sqlite-operations.js';
import { CHARM_REVISIONS_MIGRATION, charmRevisionStore } from './sqlite-charms.js';
import { ROLLOUTS_MIGRATION, rolloutStore } from './sqlite-rollouts.js';
import { RESOURCE_REVISIONS_MIGRATION, resourceStore } from './sqlite-resources.js';
import {
  APPLICATION_SETTINGS_MIGRATION,
  applicationSettingsStore,
} from './sqlite-application-settings.js';
import { HISTORY_MIGRATION, historyStore } from './sqlite-history.js';
import { STATUS_HISTORY_MIGRATION } from './sqlite-status-history.js';
import { USERS_MIGRATION, userStore } from './sqlite-users.js';
import type { UserStore } from './user-types.js';
import type { StatusHistoryStore } from './status-history-types.js';
import { compact, recordKeyId, reseal, sealExistingValues } from './sealed-columns.js';
import { splitDatabags } from './sqlite-databags.js';
import { StoreCipher } from './store-cipher.js';
import {
  dropNextKey,
  newStoreKey,
  nextKeyFile,
  replaceStoreKey,
  writeStoreKey,
} from './store-key.js';
import { unlockStore } from './store-unlock.js';
import type { HistoryStore } from './history-types.js';
import { MODEL_MIGRATION } from './sqlite-rows.js';
import {
  DEPLOY_JOURNAL_MIGRATION,
  deployJournal,
  HOOK_LOGS_MIGRATION,
  UNIT_RUNTIME_MIGRATION,
  unitRuntimeStore,
} from './sqlite-units.js';
import type {
  ApplicationSettingsStore,
  CharmRevisionStore,
  ResourceStore,
  DeployJournalStore,
  RolloutStore,
  LeadershipStore,
  OperationsStore,
  Store,
  UnitRuntimeStore,
} from './types.js';

/** Data migrations run in TypeScript; one returns true when old text may sit in free pages. */
export type Migration = string | ((db: Database.Database, cipher: StoreCipher) => boolean);

/** Index i takes the schema from version i to i + 1. */
export const MIGRATIONS: readonly Migration[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE sequences (name TEXT PRIMARY KEY, next INTEGER NOT NULL);
   CREATE TABLE machines (
     id INTEGER PRIMARY KEY,
     provider TEXT NOT NULL,
     instance_id TEXT NOT NULL,
     address TEXT NOT NULL,
     port INTEGER NOT NULL,
     user TEXT NOT NULL,
     key_file TEXT NOT NULL,
     host_key TEXT NOT NULL,
     host_public_key TEXT NOT NULL,
     constraints TEXT NOT NULL,
     life TEXT NOT NULL,
     facts TEXT,
     created_at TEXT NOT NULL
   );
   INSERT INTO sequences (name, next) VALUES ('machine', 0);`,
  MODEL_MIGRATION,
  UNIT_RUNTIME_MIGRATION,
  DEPLOY_JOURNAL_MIGRATION,
  HOOK_LOGS_MIGRATION,
  LEADERSHIP_MIGRATION,
  OPERATIONS_MIGRATION,
  CHARM_REVISIONS_MIGRATION,
  ROLLOUTS_MIGRATION,
  RESOURCE_REVISIONS_MIGRATION + APPLICATION_SETTINGS_MIGRATION,
  HISTORY_MIGRATION,
  sealExistingValues,
  STATUS_HISTORY_MIGRATION,
  USERS_MIGRATION,
  splitDatabags,
];

/** Where a store's key file is unless the caller says: beside it (paths.ts's storeKey). */
export const defaultKeyFile = (file: string): string => join(dirname(file), 'store.key');

function open(file: string): Database.Database {
  // Created 0600 before SQLite opens it (SQLite gives -wal and -shm the database file's mode);
  // one made 0644 by an older Rune is narrowed now, with any WAL files it left.
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      chmodSync(f, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // Durable enough for a controller: WAL with NORMAL survives process crashes (our case).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db;
}

export class SqliteStore extends SqliteModel implements Store {
  private readonly machineRows: MachineRows;
  readonly schemaVersion: number;
  private readonly runtime: UnitRuntimeStore;
  private readonly journal: DeployJournalStore;
  private readonly leadership: LeadershipStore;
  private readonly operations: OperationsStore;
  private readonly revisions: CharmRevisionStore;
  private readonly rolloutRecords: RolloutStore;
  private readonly resourceRecords: ResourceStore;
  private readonly settings: ApplicationSettingsStore;
  private readonly history: HistoryStore;
  private readonly userRecords: UserStore;

  /** The key file the store's secret values are sealed with (store-key.ts). */
  readonly keyFile: string;

  constructor(
    readonly file: string,
    now: () => Date = () => new Date(),
    options: { keyFile?: string } = {},
  ) {
    const keyFile = options.keyFile ?? defaultKeyFile(file);
    const db = open(file);
    let cipher: StoreCipher;
    try {
      cipher = new StoreCipher(unlockStore(db, file, keyFile));
    } catch (e) {
      db.close();
      throw e;
    }
    super(db, now, cipher);
    this.keyFile = keyFile;
    this.schemaVersion = this.migrate();
    this.runtime = unitRuntimeStore(this.db, cipher);
    this.machineRows = new MachineRows({
      stmt: (sql) => this.stmt(sql),
      transaction: (fn) => this.transaction(fn),
      now: () => this.now(),
      forgetHistory: (id) => this.statusLog.forget(id, ['machine']),
    });
    this.journal = deployJournal(this.db, cipher);
    this.leadership = leadershipStore(this.db, cipher);
    this.operations = operationsStore(this.db, cipher);
    this.revisions = charmRevisionStore(this.db);
    this.rolloutRecords = rolloutStore(this.db, cipher);
    this.resourceRecords = resourceStore(this.db);
    this.settings = applicationSettingsStore(this.db);
    this.history = historyStore(this.db, cipher);
    this.userRecords = userStore(this.db);
  }

  /**
   * Re-seals every secret value with a new key in one transaction (docs/store-key.md), then
   * makes the new key file current and compacts the files so no value under the old key
   * remains. Only with the controller stopped: it must be the store's one open handle.
   */
  rotateKey(): { from: string; to: string; values: number } {
    const from = this.cipher.keyId;
    const next = newStoreKey();
    // Written before the transaction: a crash after its commit finds it (store-unlock.ts).
    dropNextKey(this.keyFile);
    writeStoreKey(nextKeyFile(this.keyFile), next);
    const sealer = new StoreCipher(next);
    let values: number;
    try {
      values = this.db.transaction(() => {
        const count = reseal(
          this.db,
          (stored, where) => this.cipher.open(stored, where),
          (plain) => sealer.seal(plain),
        );
        recordKeyId(this.db, next.id);
        return count;
      })();
    } catch (e) {
      dropNextKey(this.keyFile);
      throw e;
    }
    // The store is under the new key from here: so is every later write of this process, even
    // if replacing the key file fails (the next open finishes it from the next key file).
    this.cipher.useKey(next);
    replaceStoreKey(this.keyFile, next);
    compact(this.db);
    return { from, to: next.id, values };
  }

  attachResource: ResourceStore['attachResource'] = (app, name, file, at) =>
    this.resourceRecords.attachResource(app, name, file, at);
  resources: ResourceStore['resources'] = (app) => this.resourceRecords.resources(app);
  resourceRevision: ResourceStore['resourceRevision'] = (app, name, revision) =>
    this.resourceRecords.resourceRevision(app, name, revision);
  useResourceRevision: ResourceStore['useResourceRevision'] = (app, name, revision) =>
    this.resourceRecords.useResourceRevision(app, name, revision);
  applicationSettings: ApplicationSettingsStore['applicationSettings'] = (app) =>
    this.settings.applicationSettings(app);
  setApplicationSettings: ApplicationSettingsStore['setApplicationSettings'] = (
    app,
    values,
    reset,
  ) => this.settings.setApplicationSettings(app, values, reset);

  addModelRevision: HistoryStore['addModelRevision'] = (r) => this.history.addModelRevision(r);
  modelRevisions: HistoryStore['modelRevisions'] = (app) => this.history.modelRevisions(app);
  latestModelRevision: HistoryStore['latestModelRevision'] = () =>
    this.history.latestModelRevision();

  addUser: UserStore['addUser'] = (name, at) => this.userRecords.addUser(name, at);
  users: UserStore['users'] = () => this.userRecords.users();
  addToken: UserStore['addToken'] = (token) => this.userRecords.addToken(token);
  token: UserStore['token'] = (hash) => this.userRecords.token(hash);
  removeToken: UserStore['removeToken'] = (hash) => this.userRecords.removeToken(hash);

  recordStatus: StatusHistoryStore['recordStatus'] = (e) => this.statusLog.recordStatus(e);
  statusHistory: StatusHistoryStore['statusHistory'] = (entity, types, limit) =>
    this.statusLog.statusHistory(entity, types, limit);

  addRollout: RolloutStore['addRollout'] = (r) => this.rolloutRecords.addRollout(r);
  setRollout: RolloutStore['setRollout'] = (r) => this.rolloutRecords.setRollout(r);
  activeRollout: RolloutStore['activeRollout'] = (app) => this.rolloutRecords.activeRollout(app);
  activeRollouts: RolloutStore['activeRollouts'] = () => this.rolloutRecords.activeRollouts();
  rollouts: RolloutStore['rollouts'] = () => this.rolloutRecords.rollouts();

  addCharmRevision: CharmRevisionStore['addCharmRevision'] = (app, dir, at) =>
    this.revisions.addCharmRevision(app, dir, at);
  useCharmRevision: CharmRevisionStore['useCharmRevision'] = (app, revision) =>
    this.revisions.useCharmRevision(app, revision);
  charmRevisions: CharmRevisionStore['charmRevisions'] = (app) =>
    this.revisions.charmRevisions(app);

  deployStarted: DeployJournalStore['deployStarted'] = (request, at) =>
    this.journal.deployStarted(request, at);
  deployFinished: DeployJournalStore['deployFinished'] = (id, at) =>
    this.journal.deployFinished(id, at);
  unfinishedDeploys: DeployJournalStore['unfinishedDeploys'] = () =>
    this.journal.unfinishedDeploys();

  unitRuntime: UnitRuntimeStore['unitRuntime'] = (unit) => this.runtime.unitRuntime(unit);
  setUnitRuntime: UnitRuntimeStore['setUnitRuntime'] = (unit, patch) =>
    this.runtime.setUnitRuntime(unit, patch);
  unitsDueForRetry: UnitRuntimeStore['unitsDueForRetry'] = (now) =>
    this.runtime.unitsDueForRetry(now);
  leader: LeadershipStore['leader'] = (app) => this.leadership.leader(app);
  leaseExpires: LeadershipStore['leaseExpires'] = (app) => this.leadership.leaseExpires(app);
  setLeader: LeadershipStore['setLeader'] = (app, unit, expires) =>
    this.leadership.setLeader(app, unit, expires);
  renewLease: LeadershipStore['renewLease'] = (app, expires) =>
    this.leadership.renewLease(app, expires);
  leaderSettings: LeadershipStore['leaderSettings'] = (app) => this.leadership.leaderSettings(app);
  leaderSettingsVersion: LeadershipStore['leaderSettingsVersion'] = (app) =>
    this.leadership.leaderSettingsVersion(app);
  writeLeaderSettings: LeadershipStore['writeLeaderSettings'] = (app, writes) =>
    this.leadership.writeLeaderSettings(app, writes);
  enqueueAction: OperationsStore['enqueueAction'] = (unit, name, params, at) =>
    this.operations.enqueueAction(unit, name, params, at);
  action: OperationsStore['action'] = (id) => this.operations.action(id);
  nextAction: OperationsStore['nextAction'] = (unit) => this.operations.nextAction(unit);
  unitsWithActions: OperationsStore['unitsWithActions'] = () => this.operations.unitsWithActions();
  startAction: OperationsStore['startAction'] = (id, at) => this.operations.startAction(id, at);
  finishAction: OperationsStore['finishAction'] = (id, status, results, message, at) =>
    this.operations.finishAction(id, status, results, message, at);
  hookStarted: UnitRuntimeStore['hookStarted'] = (entry) => this.runtime.hookStarted(entry);
  hookEnded: UnitRuntimeStore['hookEnded'] = (id, outcome, endedAt, message, logs) =>
    this.runtime.hookEnded(id, outcome, endedAt, message, logs);
  hookLog: UnitRuntimeStore['hookLog'] = (afterId) => this.runtime.hookLog(afterId);

  private migrate(): number {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      this.db.close();
      throw new SchemaVersionError(this.file, version, MIGRATIONS.length);
    }
    let oldText = false;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        const migration = MIGRATIONS[v] ?? '';
        if (typeof migration === 'string') this.db.exec(migration);
        else oldText = migration(this.db, this.cipher) || oldText;
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
    if (oldText) compact(this.db);
    return MIGRATIONS.length;
  }

  reserveMachineId: Store['reserveMachineId'] = () => this.machineRows.reserveId();
  addMachine: Store['addMachine'] = (machine) => this.machineRows.add(machine);
  machines: Store['machines'] = () => this.machineRows.all();
  machineIds: Store['machineIds'] = () => this.machineRows.ids();
  machine: Store['machine'] = (id) => this.machineRows.get(id);
  setMachineFacts: Store['setMachineFacts'] = (id, facts) => this.machineRows.setFacts(id, facts);
  setMachineLife: Store['setMachineLife'] = (id, life) => this.machineRows.setLife(id, life);
  removeMachine: Store['removeMachine'] = (id) => this.machineRows.remove(id);

  /** Seals the replicated log's entries with this store's key (log-entry.ts). */
  get logCipher(): StoreCipher {
    return this.cipher;
  }

  /** The whole database as one SQLite image (enable-ha moves it into etcd: etcd-store.ts). */
  image(): Buffer {
    return this.db.serialize();
  }

  /** The last replicated log entry this store applied (etcd-store.ts); 0 when none. */
  replicationMark(): number {
    const row = this.stmt(`SELECT value FROM meta WHERE key = 'replicated-log'`).get() as
      { value: string } | undefined;
    return row === undefined ? 0 : Number(row.value);
  }

  /** Recorded in the transaction that applies the entry, so the two never disagree. */
  setReplicationMark(seq: number): void {
    this.stmt(`INSERT OR REPLACE INTO meta (key, value) VALUES ('replicated-log', ?)`).run(
      String(seq),
    );
  }

  close(): void {
    this.db.close();
  }

  protected override dropCaches(): void {
    super.dropCaches();
    // Undefined while the constructor's migrations run (a failed one drops the caches too).
    this.machineRows?.drop();
  }
}
