// The model's entities in SQLite: applications, units, relations and their databags. The base
// of SqliteStore (which adds machines and migrations); every write is its own transaction or
// part of the caller's (transaction()).
import { forgetRevisions, recordFirstRevision } from './sqlite-charms.js';
import type Database from 'better-sqlite3';
import type { AgentStatus, Life, StatusInfo, WorkloadStatus } from '../model/status.js';
import type { ConfigValues, Endpoint, ModelSnapshot } from '../model/types.js';
import type { StoreCipher } from './store-cipher.js';
import { statusHistoryStore } from './sqlite-status-history.js';
import { readModelConfig, writeModelConfig } from './sqlite-model-config.js';
import type { StatusLogType } from './status-history-types.js';
import { BagCache, type RelationBags } from './bag-cache.js';
import { DatabagRows } from './sqlite-databags.js';
import { ApplicationNotFoundError, UnitExistsError } from './errors.js';
import {
  type ApplicationRow,
  type RelationRow,
  toApplication,
  toFrozenRelation,
  toUnit,
  type UnitRow,
  UNIT_COLUMNS,
} from './sqlite-rows.js';
import type {
  UnitIndexEntry,
  ApplicationRecord,
  NewApplication,
  DatabagRecord,
  ModelStore,
  RelationRecord,
  UnitRecord,
} from './types.js';

export class SqliteModel implements ModelStore {
  private readonly statements = new Map<string, Database.Statement>();
  /** Every unit agent step reads the index; only unit births, deaths and removals change it. */
  private unitIndexCache: UnitIndexEntry[] | undefined;
  /** Every step reads its relations' bag versions, every hook their bags (bag-cache.ts). */
  private readonly bags = new BagCache();
  private readonly bagRows: DatabagRows;
  /** Every step reads them to find its relations; they change only when the model does. */
  private relationsCache: RelationRecord[] | undefined;
  /** One wrapper for all: better-sqlite3 builds four functions per db.transaction() call. */
  private inTransaction: ((fn: () => unknown) => unknown) | undefined;
  /** Unit statuses are recorded as they change, in the change's transaction. */
  protected readonly statusLog = statusHistoryStore(
    (sql) => this.stmt(sql),
    (fn) => this.transaction(fn),
  );

  constructor(
    protected readonly db: Database.Database,
    protected readonly now: () => Date,
    /** Seals the values that may hold secrets (sealed-columns.ts) on their way in and out. */
    protected readonly cipher: StoreCipher,
  ) {
    this.bagRows = new DatabagRows((sql) => this.stmt(sql), cipher);
  }

  /** Prepared once per SQL text: unit agents read the same few queries thousands of times. */
  protected stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  transaction<T>(fn: () => T): T {
    try {
      this.inTransaction ??= this.db.transaction((f: () => unknown) => f());
      return this.inTransaction(fn) as T;
    } catch (e) {
      // A rolled-back transaction (or savepoint, when nested) may have put its uncommitted units,
      // relations and bags in the caches. Failures are rare, so all are dropped whole, not
      // tracked, and refilled by the next reads. Dropping at every level that fails keeps
      // nesting exact: after an inner failure the outer function catches, the refill sees what
      // the outer one will commit.
      this.dropCaches();
      throw e;
    }
  }

  /** Drops every cache of rows (a subclass adds its own). */
  protected dropCaches(): void {
    this.unitIndexCache = undefined;
    this.relationsCache = undefined;
    this.bags.reset();
  }

  snapshot(): ModelSnapshot {
    const { next } = this.stmt(`SELECT next FROM sequences WHERE name = 'machine'`).get() as {
      next: number;
    };
    const snapshot: ModelSnapshot = {
      applications: {},
      units: {},
      machines: {},
      relations: [],
      nextMachineId: next,
    };
    for (const app of this.applications().filter((a) => a.life === 'alive')) {
      snapshot.applications[app.name] = app;
    }
    for (const unit of this.units().filter((u) => u.life === 'alive')) {
      snapshot.units[unit.name] = unit;
    }
    const machines = this.stmt(`SELECT id FROM machines WHERE life = 'alive'`).all() as {
      id: number;
    }[];
    for (const { id } of machines) snapshot.machines[String(id)] = { id: String(id) };
    snapshot.relations = this.relations().filter((r) => r.life === 'alive');
    return snapshot;
  }

  applications(): ApplicationRecord[] {
    const rows = this.stmt(`SELECT * FROM applications ORDER BY name`).all() as ApplicationRow[];
    return rows.map((r) => toApplication(r, this.cipher));
  }

  application(name: string): ApplicationRecord | undefined {
    const row = this.stmt(`SELECT * FROM applications WHERE name = ?`).get(name) as
      ApplicationRow | undefined;
    return row ? toApplication(row, this.cipher) : undefined;
  }

  addApplication(app: NewApplication): void {
    this.transaction(() => {
      const { name, charm, charmDir, subordinate, config, constraints } = app;
      const sealed = this.cipher.seal(JSON.stringify(config));
      this.stmt(
        `INSERT INTO applications (name, charm, charm_dir, subordinate, config, constraints)
           VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(name, charm, charmDir, subordinate ? 1 : 0, sealed, constraints);
      recordFirstRevision(this.db, app.name, app.charmDir, this.now().toISOString());
    });
  }

  setConfig(application: string, options: ConfigValues): void {
    this.changeConfig(application, (config) => ({ ...config, ...options }));
  }

  expose(application: string): void {
    this.requireApplication(application);
    this.stmt(`UPDATE applications SET exposed = 1 WHERE name = ?`).run(application);
  }

  unit(name: string): UnitRecord | undefined {
    const row = this.stmt(`SELECT ${UNIT_COLUMNS} FROM units WHERE name = ?`).get(name) as
      UnitRow | undefined;
    return row ? toUnit(row) : undefined;
  }

  unitIndex(): UnitIndexEntry[] {
    if (this.unitIndexCache) return this.unitIndexCache;
    const rows = this.stmt(
      `SELECT name, application, machine, principal, life FROM units ORDER BY application, number`,
    ).all() as {
      name: string;
      application: string;
      machine: string;
      principal: string | null;
      life: string;
    }[];
    this.unitIndexCache = rows.map((r) => {
      const entry: UnitIndexEntry = {
        name: r.name,
        application: r.application,
        machine: r.machine,
        life: r.life as Life,
      };
      if (r.principal !== null) entry.principal = r.principal;
      return Object.freeze(entry);
    });
    // Shared between callers: frozen, so an in-place sort or edit fails loudly instead.
    Object.freeze(this.unitIndexCache);
    return this.unitIndexCache;
  }

  /** Shared and frozen (bag-cache.ts): callers read it, never edit it. */
  databags(relationId: number): Record<string, Record<string, string>> {
    return this.relationBags(relationId).data;
  }

  /** Shared and frozen, like databags(). */
  databagVersions(relationId: number): Record<string, number> {
    return this.relationBags(relationId).versions;
  }

  databagVisibleVersion(
    relationId: number,
    owner: string,
    addressee: (key: string) => string | undefined,
    reader: string,
  ): number {
    // Loaded once; a master's step then asks for 1,000 workers' versions in a row.
    if (this.bags.peek(relationId) === undefined) this.relationBags(relationId);
    return this.bags.visibleVersion(relationId, owner, addressee, reader);
  }

  private relationBags(relationId: number): RelationBags {
    return this.bags.relation(relationId, () => this.bagRows.relation(relationId));
  }

  units(application?: string): UnitRecord[] {
    const rows = (
      application === undefined
        ? this.stmt(`SELECT ${UNIT_COLUMNS} FROM units ORDER BY application, number`).all()
        : this.db
            .prepare(`SELECT ${UNIT_COLUMNS} FROM units WHERE application = ? ORDER BY number`)
            .all(application)
    ) as UnitRow[];
    return rows.map(toUnit);
  }

  addUnit(unit: { name: string; machine: string; principal?: string }): UnitRecord {
    return this.transaction(() => {
      const [application = '', numberText = ''] = unit.name.split('/');
      const app = this.requireApplication(application);
      const number = Number(numberText);
      if (
        number < app.nextUnitNumber ||
        this.stmt(`SELECT 1 FROM units WHERE name = ?`).get(unit.name)
      ) {
        throw new UnitExistsError(unit.name, app.nextUnitNumber);
      }
      const since = this.now().toISOString();
      const workload: StatusInfo<WorkloadStatus> = {
        current: 'waiting',
        message: 'waiting for machine',
        since,
      };
      const agent: StatusInfo<AgentStatus> = { current: 'allocating', message: '', since };
      this.unitIndexCache = undefined;
      this.stmt(
        `INSERT INTO units (name, application, number, machine, principal, workload_status, agent_status)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        unit.name,
        application,
        number,
        unit.machine,
        unit.principal ?? null,
        JSON.stringify(workload),
        JSON.stringify(agent),
      );
      this.stmt(`UPDATE applications SET next_unit_number = ? WHERE name = ?`).run(
        number + 1,
        application,
      );
      this.recordUnitStatus(unit.name, 'workload', workload);
      this.recordUnitStatus(unit.name, 'juju-unit', agent);
      return toUnit(
        this.stmt(`SELECT ${UNIT_COLUMNS} FROM units WHERE name = ?`).get(unit.name) as UnitRow,
      );
    });
  }

  setUnitStatus(
    name: string,
    status: Partial<Pick<UnitRecord, 'workloadStatus' | 'agentStatus'>>,
  ): void {
    const { workloadStatus: workload, agentStatus: agent } = status;
    this.transaction(() => {
      const set = (column: string, value: StatusInfo<string>) =>
        this.stmt(`UPDATE units SET ${column} = ? WHERE name = ?`).run(JSON.stringify(value), name)
          .changes > 0;
      if (workload && set('workload_status', workload))
        this.recordUnitStatus(name, 'workload', workload);
      if (agent && set('agent_status', agent)) this.recordUnitStatus(name, 'juju-unit', agent);
    });
  }

  /** A real transition only: recordStatus skips a status set again unchanged. */
  private recordUnitStatus(unit: string, type: StatusLogType, status: StatusInfo<string>): void {
    const { current, message, since } = status;
    this.statusLog.recordStatus({ entity: unit, type, status: current, message, at: since });
  }

  /** Shared and frozen, down to each endpoint, like unitIndex(). */
  relations(): RelationRecord[] {
    if (this.relationsCache) return this.relationsCache;
    const rows = this.stmt(`SELECT * FROM relations ORDER BY id`).all() as RelationRow[];
    this.relationsCache = Object.freeze(rows.map(toFrozenRelation)) as RelationRecord[];
    return this.relationsCache;
  }

  addRelation(endpoints: Endpoint[]): RelationRecord {
    this.relationsCache = undefined;
    return this.transaction(() => {
      const { next } = this.stmt(`SELECT next FROM sequences WHERE name = 'relation'`).get() as {
        next: number;
      };
      this.stmt(`UPDATE sequences SET next = ? WHERE name = 'relation'`).run(next + 1);
      this.stmt(`INSERT INTO relations (id, endpoints) VALUES (?, ?)`).run(
        next,
        JSON.stringify(endpoints),
      );
      return { id: next, endpoints, life: 'alive' };
    });
  }

  databag(relationId: number, owner: string): DatabagRecord {
    const cached = this.bags.peek(relationId);
    if (cached) {
      // A copy, not the shared bag: DatabagRecord's data is the caller's, and it is one bag.
      const known = Object.hasOwn(cached.versions, owner);
      const data = known ? { ...cached.data[owner] } : {};
      return { relationId, owner, data, version: known ? (cached.versions[owner] ?? 0) : 0 };
    }
    return { relationId, owner, ...this.bagRows.one(relationId, owner) };
  }

  writeDatabag(relationId: number, owner: string, writes: Record<string, string>): boolean {
    return this.transaction(() => {
      // Read through the cache without filling it: a write alone does not start tracking keys
      // (bag-cache.ts), so a replica replaying the log tracks them as a reopened store does.
      const cached = this.bags.peek(relationId);
      const stored = cached
        ? { data: cached.data[owner] ?? {}, version: cached.versions[owner] ?? 0 }
        : this.bagRows.one(relationId, owner);
      const current = stored.data;
      const changed: Record<string, string> = {};
      for (const [key, value] of Object.entries(writes))
        if ((current[key] ?? '') !== value) changed[key] = value;
      // A commit that changes nothing wakes nobody (DESIGN §6): the version stays.
      if (Object.keys(changed).length === 0) return false;
      const data: Record<string, string> = { ...current };
      for (const [key, value] of Object.entries(changed)) {
        if (value === '') delete data[key];
        else data[key] = value;
      }
      const version = stored.version + 1;
      this.bagRows.write(relationId, owner, changed, version);
      this.bags.written(relationId, owner, data, version);
      return true;
    });
  }

  setUnitLife(name: string, life: Life): void {
    this.unitIndexCache = undefined;
    this.stmt(`UPDATE units SET life = ? WHERE name = ?`).run(life, name);
  }

  setUnitMachine(name: string, machine: string): void {
    this.unitIndexCache = undefined;
    this.stmt(`UPDATE units SET machine = ? WHERE name = ?`).run(machine, name);
  }

  setApplicationLife(name: string, life: Life): void {
    this.stmt(`UPDATE applications SET life = ? WHERE name = ?`).run(life, name);
  }

  setRelationLife(id: number, life: Life): void {
    this.relationsCache = undefined;
    this.stmt(`UPDATE relations SET life = ? WHERE id = ?`).run(life, id);
  }

  removeUnit(name: string): void {
    this.unitIndexCache = undefined;
    this.transaction(() => {
      this.bagRows.removeOwner(name);
      this.bags.ownerRemoved(name);
      this.stmt(`DELETE FROM units WHERE name = ?`).run(name);
      this.statusLog.forget(name, ['workload', 'juju-unit']);
    });
  }

  removeRelation(id: number): void {
    this.relationsCache = undefined;
    this.transaction(() => {
      this.bagRows.removeRelation(id);
      this.bags.relationRemoved(id);
      this.stmt(`DELETE FROM relations WHERE id = ?`).run(id);
    });
  }

  removeApplication(name: string): void {
    this.transaction(() => {
      this.bagRows.removeOwner(name);
      this.bags.ownerRemoved(name);
      this.stmt(`DELETE FROM applications WHERE name = ?`).run(name);
      forgetRevisions(this.db, name);
      this.statusLog.forget(name, ['application']);
    });
  }

  resetConfig(application: string, options: readonly string[]): void {
    this.changeConfig(application, (config) => {
      for (const option of options) delete config[option];
      return config;
    });
  }

  /** `change` gets the application's config (a copy of its own to edit) and returns the new. */
  private changeConfig(application: string, change: (config: ConfigValues) => ConfigValues): void {
    this.transaction(() => {
      const config = change(this.requireApplication(application).config);
      this.stmt(`UPDATE applications SET config = ? WHERE name = ?`).run(
        this.cipher.seal(JSON.stringify(config)),
        application,
      );
    });
  }

  modelConfig(): Record<string, string> {
    return readModelConfig((sql) => this.stmt(sql));
  }

  setModelConfig(values: Record<string, string>): void {
    this.transaction(() => writeModelConfig((sql) => this.stmt(sql), values));
  }

  private requireApplication(name: string): ApplicationRecord {
    const app = this.application(name);
    if (!app) throw new ApplicationNotFoundError(name);
    return app;
  }
}
