// The store's contract (DESIGN §3): what the controller records, independent of the backend.
// SQLite serves the embedded default; an etcd backend for an HA controller can implement the same.
import type { MachineFacts } from '../model/machine.js';
import type { AgentStatus, Life, StatusInfo, WorkloadStatus } from '../model/status.js';
import type { ConfigValues, Endpoint, ModelSnapshot } from '../model/types.js';
import type { HistoryStore } from './history-types.js';
import type { StatusHistoryStore } from './status-history-types.js';
import type { UserStore } from './user-types.js';

export type ProviderKind = 'local' | 'manual' | 'sim';

/** A machine as the controller knows it: how to reach it, its pinned key, its facts. */
export interface MachineRecord {
  id: string;
  provider: ProviderKind;
  /** Provider's name for it (local: the netns); for manual machines `manual:<host>`. */
  instanceId: string;
  address: string;
  port: number;
  user: string;
  /** Path of the private key the controller uses for this machine. */
  keyFile: string;
  /** Pinned host key fingerprint (`SHA256:...`). */
  hostKey: string;
  /** The pinned host key itself (`ssh-ed25519 AAAA...`), for `rune ssh`'s known_hosts. */
  hostPublicKey: string;
  constraints: string;
  life: Life;
  facts?: MachineFacts;
  createdAt: string;
}

export type NewMachine = Omit<MachineRecord, 'life' | 'createdAt'>;

export interface Store
  extends
    ModelStore,
    UnitRuntimeStore,
    DeployJournalStore,
    LeadershipStore,
    OperationsStore,
    CharmRevisionStore,
    RolloutStore,
    ResourceStore,
    ApplicationSettingsStore,
    HistoryStore,
    StatusHistoryStore,
    UserStore {
  readonly schemaVersion: number;
  /**
   * Takes the next machine id (ids are never reused, DESIGN §1). A machine's id is needed
   * before it exists (local machines are named after it), so taking one and recording the
   * machine are two steps; an id whose machine failed to start is simply never used.
   */
  reserveMachineId(): string;
  /** Records a machine under an id from reserveMachineId. */
  addMachine(machine: NewMachine): MachineRecord;
  /** Sorted by numeric id. */
  machines(): MachineRecord[];
  /** The ids of machines(), without reading their records: what the unit runner asks on every
   * pass. */
  machineIds(): string[];
  machine(id: string): MachineRecord | undefined;
  setMachineFacts(id: string, facts: MachineFacts): void;
  setMachineLife(id: string, life: Life): void;
  removeMachine(id: string): void;
  close(): void;
}

/** What deploying an application records; the rest starts at its defaults. */
export type NewApplication = Omit<
  ApplicationRecord,
  'life' | 'nextUnitNumber' | 'exposed' | 'charmRevision'
>;

/** An application as deployed: its charm (by name and folder), config and life. */
export interface ApplicationRecord {
  name: string;
  charm: string;
  /** The charm's folder on the controller host, so a restart loads the same code. */
  charmDir: string;
  /** 1 at deploy; each `rune refresh` moves it (DESIGN §11). */
  charmRevision: number;
  subordinate: boolean;
  config: ConfigValues;
  constraints: string;
  exposed: boolean;
  life: Life;
  /** Unit numbers are never reused (DESIGN §1). */
  nextUnitNumber: number;
}

export interface UnitRecord {
  name: string;
  application: string;
  machine: string;
  /** For a subordinate unit: the principal it lives beside. */
  principal?: string;
  life: Life;
  workloadStatus: StatusInfo<WorkloadStatus>;
  agentStatus: StatusInfo<AgentStatus>;
}

export type UnitIndexEntry = Pick<
  UnitRecord,
  'name' | 'application' | 'machine' | 'principal' | 'life'
>;

export interface RelationRecord {
  id: number;
  /** Provider first for a regular relation; one endpoint for a peer relation. */
  endpoints: Endpoint[];
  life: Life;
}

/** One databag: a unit's (owner `etcd/0`) or an application's (owner `etcd`) in a relation. */
export interface DatabagRecord {
  relationId: number;
  owner: string;
  data: Record<string, string>;
  /** Bumped on every committed change, so agents see what changed (DESIGN §6). */
  version: number;
}

/** The model's entities: written by applying plan changes, read by status and the agents. */
export interface ModelStore {
  snapshot(): ModelSnapshot;
  applications(): ApplicationRecord[];
  application(name: string): ApplicationRecord | undefined;
  addApplication(app: NewApplication): void;
  setConfig(application: string, options: ConfigValues): void;
  expose(application: string): void;
  units(application?: string): UnitRecord[];
  unit(name: string): UnitRecord | undefined;
  /** Units without their statuses: what scope and placement decisions need, cheaply. */
  unitIndex(): UnitIndexEntry[];
  /** Owner → data of every bag in a relation, in one read. */
  databags(relationId: number): Record<string, Record<string, string>>;
  /** Owner → version of every bag in a relation, in one read. */
  databagVersions(relationId: number): Record<string, number>;
  /**
   * One bag's version as `reader` counts it when an interface addresses keys to units
   * (InterfaceSpec.addressee): it sees keys addressed to nobody, to itself or to the owner. At
   * most databagVersions' figure, never lower than the last write that changed such a key.
   */
  databagVisibleVersion(
    relationId: number,
    owner: string,
    addressee: (key: string) => string | undefined,
    reader: string,
  ): number;
  /** Records `name` (e.g. `etcd/3`, from the plan); the application's next number moves past it. */
  addUnit(unit: { name: string; machine: string; principal?: string }): UnitRecord;
  setUnitStatus(
    name: string,
    status: Partial<Pick<UnitRecord, 'workloadStatus' | 'agentStatus'>>,
  ): void;
  relations(): RelationRecord[];
  addRelation(endpoints: Endpoint[]): RelationRecord;
  /** Life only moves forward (alive → dying → dead, DESIGN §6); removal deletes the record. */
  setUnitLife(name: string, life: Life): void;
  /** Places a unit that waited for a machine (machine "" until then). */
  setUnitMachine(name: string, machine: string): void;
  setApplicationLife(name: string, life: Life): void;
  setRelationLife(id: number, life: Life): void;
  /** Deletes the unit with its databags; the unit's number stays used. */
  removeUnit(name: string): void;
  removeRelation(id: number): void;
  removeApplication(name: string): void;
  /** Drops options back to their defaults. */
  resetConfig(application: string, options: readonly string[]): void;
  databag(relationId: number, owner: string): DatabagRecord;
  /** Applies writes (`""` deletes); returns false and bumps nothing when the data is unchanged. */
  writeDatabag(relationId: number, owner: string, writes: Record<string, string>): boolean;
  /** Model-wide settings (`update-status-hook-interval`), as the operator set them. */
  modelConfig(): Record<string, string>;
  setModelConfig(values: Record<string, string>): void;
  /** Runs `fn` as one transaction: all of its writes land, or none. */
  transaction<T>(fn: () => T): T;
}

/** A unit agent's own bookkeeping (the resolver's LocalState is opaque to the store). */
export interface UnitRuntimeRecord {
  localState?: unknown;
  /** The charm's persistent per-unit state (ctx.state). */
  charmState: Record<string, JsonValue>;
  /** A pending `rune resolve`, or a due automatic retry. */
  resolved?: 'retry' | 'no-retry';
  /** When the failed hook is retried automatically (ms since epoch). */
  retryAt?: number;
  retries: number;
}

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One hook run, as debug-log shows it: start and end, outcome, and a message on failure. */
export interface HookLogEntry {
  id: number;
  unit: string;
  /** Juju's name: `install`, `db-relation-joined`. */
  hook: string;
  /** The hook as data (relation id, remote unit...). */
  detail: Record<string, JsonValue>;
  startedAt: string;
  endedAt?: string;
  outcome?: 'ok' | 'error';
  message: string;
  /** What the charm logged during the hook (already redacted). */
  logs: { level: string; message: string }[];
}

export interface UnitRuntimeStore {
  unitRuntime(unit: string): UnitRuntimeRecord | undefined;
  setUnitRuntime(
    unit: string,
    patch: Partial<Omit<UnitRuntimeRecord, 'resolved' | 'retryAt'>> & {
      resolved?: 'retry' | 'no-retry' | undefined;
      retryAt?: number | undefined;
    },
  ): void;
  /** Units whose failed hook's retry time has come. */
  unitsDueForRetry(now: number): string[];
  hookStarted(entry: {
    unit: string;
    hook: string;
    detail: Record<string, JsonValue>;
    startedAt: string;
  }): number;
  hookEnded(
    id: number,
    outcome: 'ok' | 'error',
    endedAt: string,
    message: string,
    logs?: { level: string; message: string }[],
  ): void;
  /** Entries after `afterId`, oldest first. */
  hookLog(afterId?: number): HookLogEntry[];
}

/** Leadership (DESIGN §6): one leader per application under a lease the controller renews. */
export interface LeadershipStore {
  leader(application: string): string | undefined;
  /** Milliseconds since the epoch at which the leader's lease lapses, if it has one. */
  leaseExpires(application: string): number | undefined;
  /** Sets (or with undefined clears) the leader and its lease. */
  setLeader(application: string, unit: string | undefined, leaseExpires?: number): void;
  renewLease(application: string, leaseExpires: number): void;
  leaderSettings(application: string): Record<string, string>;
  /** Bumped on each committed change of the leader settings. */
  leaderSettingsVersion(application: string): number;
  /** `null` or `""` deletes a key; resolves to whether anything changed. */
  writeLeaderSettings(application: string, writes: Record<string, string | null>): boolean;
}

export type ActionStatus = 'pending' | 'running' | 'completed' | 'failed';

export interface ActionRecord {
  id: number;
  unit: string;
  name: string;
  params: Record<string, unknown>;
  status: ActionStatus;
  /** What the action set with setResult (redacted). */
  results: Record<string, string>;
  /** Why it failed, when it did. */
  message: string;
  enqueuedAt: string;
  startedAt?: string;
  completedAt?: string;
}

export interface ResourceRecord {
  application: string;
  name: string;
  /** The controller's copy of the attached file. */
  file: string;
  sha256: string;
  size: number;
  /** 1 for the first attach, bumped by each one after. */
  revision: number;
  attachedAt: string;
}

/** Action runs (DESIGN §10: `run`). */
export interface OperationsStore {
  enqueueAction(unit: string, name: string, params: Record<string, unknown>, at: string): number;
  action(id: number): ActionRecord | undefined;
  /** The unit's action to run next: one a dead controller left running, else the oldest
   * pending. */
  nextAction(unit: string): ActionRecord | undefined;
  unitsWithActions(): string[];
  startAction(id: number, at: string): void;
  finishAction(
    id: number,
    status: 'completed' | 'failed',
    results: Record<string, string>,
    message: string,
    at: string,
  ): void;
}

/** Attached resources and every revision of each (DESIGN §11: a unit a rollout has not reached
 * still fetches the revision it is on). */
export interface ResourceStore {
  /** Records a new revision of the resource and makes it current; resolves to it. */
  attachResource(
    application: string,
    name: string,
    file: { file: string; sha256: string; size: number },
    at: string,
  ): number;
  /** The current revision of each of the application's resources, by name. */
  resources(application: string): ResourceRecord[];
  /** One revision, current or not. */
  resourceRevision(application: string, name: string, revision: number): ResourceRecord | undefined;
  /** Makes an earlier revision current again (a rollout's abort, a rollback); undefined: the
   * application has no such resource again, its revisions kept. */
  useResourceRevision(application: string, name: string, revision: number | undefined): void;
}

/** Per-application settings that are Rune's, not the charm's (Juju's application config as
 * opposed to charm config): today the rollout policy, `rollout-canaries`... as in model-config. */
export interface ApplicationSettingsStore {
  applicationSettings(application: string): Record<string, string>;
  /** Sets `values` and drops `reset`, in one transaction. */
  setApplicationSettings(
    application: string,
    values: Record<string, string>,
    reset: readonly string[],
  ): void;
}

/** Deploys being applied: one left unfinished by a dead controller is resumed on restart. */
export interface DeployJournalStore {
  deployStarted(request: JsonValue, at: string): number;
  deployFinished(id: number, at: string): void;
  unfinishedDeploys(): { id: number; request: JsonValue; startedAt: string }[];
}

/** One revision of an application's charm: where its code was loaded from. */
export interface CharmRevisionRecord {
  revision: number;
  charmDir: string;
  addedAt: string;
}

/** Charm revisions (DESIGN §11): `rune refresh` adds one or goes back to one. */
export interface CharmRevisionStore {
  /** Records the charm in `charmDir` as the application's next revision and makes it current;
   * resolves to that revision. */
  addCharmRevision(application: string, charmDir: string, at: string): number;
  /** Makes an earlier revision current again. */
  useCharmRevision(application: string, revision: number): void;
  /** Oldest first. */
  charmRevisions(application: string): CharmRevisionRecord[];
}

/** What a unit of an application sees: its charm, config and resources (DESIGN §11). */
export interface ApplicationSpec {
  charmRevision: number;
  charmDir: string;
  config: ConfigValues;
  /** Resource name → revision; a name absent: no such resource attached. A rollout stored
   * before resources rolled has none, and reads back with the application's current ones. */
  resources: Record<string, number>;
}

/** How a rollout moves units (BOSH's update block). */
export interface RolloutPolicy {
  canaries: number;
  /** Units updated at once after the canaries: a count, or a percentage of the units. */
  maxInFlight: { count: number } | { percent: number };
  /** A unit passes once it has been updating at least min and is settled; fails past max. */
  watchMinMs: number;
  watchMaxMs: number;
}

export type RolloutUnitState = 'waiting' | 'updating' | 'updated' | 'failed';

export interface RolloutUnit {
  unit: string;
  state: RolloutUnitState;
  /** When it started updating (ms since the epoch). */
  since?: number;
  /** Its workload status before the change: a unit that was blocked may pass blocked. */
  before: string;
  /** What it sees until reached, when not the rollout's `from`: a unit that an earlier,
   * superseded rollout had not reached keeps the spec it was on. */
  from?: ApplicationSpec;
}

export interface RolloutRecord {
  id: number;
  application: string;
  /** `refresh`, `config`: what changed. */
  change: string;
  from: ApplicationSpec;
  to: ApplicationSpec;
  policy: RolloutPolicy;
  /** running → done, or halted (resume: running again; abort: aborted, and a rollout back);
   * superseded when another change to the application began a rollout of its own. */
  state: 'running' | 'halted' | 'done' | 'aborted' | 'superseded';
  /** Why it halted, naming the unit. */
  message: string;
  /** In update order: followers by number, the leader last. */
  units: RolloutUnit[];
  startedAt: string;
  endedAt?: string;
}

export interface RolloutStore {
  /** Records a new rollout; resolves to its id. */
  addRollout(rollout: Omit<RolloutRecord, 'id'>): number;
  setRollout(rollout: RolloutRecord): void;
  /** The application's running or halted rollout, if any. */
  activeRollout(application: string): RolloutRecord | undefined;
  activeRollouts(): RolloutRecord[];
  /** Every rollout, oldest first. */
  rollouts(): RolloutRecord[];
}
