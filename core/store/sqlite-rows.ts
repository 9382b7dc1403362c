// The model tables' schema (migration 2) and how their rows become records. Pure data mapping,
// shared by the store classes; no queries here.
import type { AgentStatus, Life, StatusInfo, WorkloadStatus } from '../model/status.js';
import type { ConfigValues, Endpoint } from '../model/types.js';
import type { StoreCipher } from './store-cipher.js';
import type { ApplicationRecord, RelationRecord, UnitRecord } from './types.js';

/** Migration 2: the model's entities (applied by SqliteStore after the machines table). */
export const MODEL_MIGRATION = `
  CREATE TABLE applications (
    name TEXT PRIMARY KEY,
    charm TEXT NOT NULL,
    charm_dir TEXT NOT NULL,
    subordinate INTEGER NOT NULL,
    config TEXT NOT NULL,
    constraints TEXT NOT NULL,
    exposed INTEGER NOT NULL DEFAULT 0,
    life TEXT NOT NULL DEFAULT 'alive',
    next_unit_number INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE units (
    name TEXT PRIMARY KEY,
    application TEXT NOT NULL REFERENCES applications(name),
    number INTEGER NOT NULL,
    machine TEXT NOT NULL,
    principal TEXT,
    life TEXT NOT NULL DEFAULT 'alive',
    workload_status TEXT NOT NULL,
    agent_status TEXT NOT NULL
  );
  CREATE TABLE relations (
    id INTEGER PRIMARY KEY,
    endpoints TEXT NOT NULL,
    life TEXT NOT NULL DEFAULT 'alive'
  );
  CREATE TABLE databags (
    relation_id INTEGER NOT NULL REFERENCES relations(id),
    owner TEXT NOT NULL,
    data TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (relation_id, owner)
  );
  INSERT INTO sequences (name, next) VALUES ('relation', 0);`;

/** The columns a UnitRow reads: never `*`, since the units table also holds each unit's runtime
 * state (a principal related to 1,000 units keeps a version per remote unit there), and reading
 * it with every unit record made unit lookups O(relation size). */
export const UNIT_COLUMNS =
  'name, application, machine, principal, life, workload_status, agent_status';

export interface UnitRow {
  name: string;
  application: string;
  machine: string;
  principal: string | null;
  life: string;
  workload_status: string;
  agent_status: string;
}

export interface ApplicationRow {
  name: string;
  charm: string;
  charm_dir: string;
  subordinate: number;
  config: string;
  constraints: string;
  exposed: number;
  life: string;
  next_unit_number: number;
  charm_revision: number;
}

/** The config is sealed (sealed-columns.ts): options may be secrets. */
export const toApplication = (
  r: ApplicationRow,
  cipher: Pick<StoreCipher, 'open'>,
): ApplicationRecord => ({
  name: r.name,
  charm: r.charm,
  charmDir: r.charm_dir,
  charmRevision: r.charm_revision,
  subordinate: r.subordinate === 1,
  config: JSON.parse(cipher.open(r.config, 'applications.config')) as ConfigValues,
  constraints: r.constraints,
  exposed: r.exposed === 1,
  life: r.life as Life,
  nextUnitNumber: r.next_unit_number,
});

export const toUnit = (r: UnitRow): UnitRecord => {
  const unit: UnitRecord = {
    name: r.name,
    application: r.application,
    machine: r.machine,
    life: r.life as Life,
    workloadStatus: JSON.parse(r.workload_status) as StatusInfo<WorkloadStatus>,
    agentStatus: JSON.parse(r.agent_status) as StatusInfo<AgentStatus>,
  };
  if (r.principal !== null) unit.principal = r.principal;
  return unit;
};

export interface RelationRow {
  id: number;
  endpoints: string;
  life: string;
}

/** Frozen down to each endpoint: the store hands one copy to every reader. */
export const toFrozenRelation = (r: RelationRow): RelationRecord =>
  Object.freeze({
    id: r.id,
    endpoints: Object.freeze((JSON.parse(r.endpoints) as Endpoint[]).map((e) => Object.freeze(e))),
    life: r.life as Life,
  }) as RelationRecord;
