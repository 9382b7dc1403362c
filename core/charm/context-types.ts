// The hook context's types (DESIGN §6–7): what a handler sees, what the runtime hands in, and
// the outcome it commits. Types only; the behaviour is in context.ts.
import type { ConfigValues, EndpointRole } from '../model/types.js';
import type { CommandResult, RemoteMachine } from '../model/machine.js';
import type { Bag, BagWrites, ReadBag, WriteBag } from './bags.js';
import type { Hook } from './hooks.js';
import type { CharmMeta } from './types.js';

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type StatusKind = 'maintenance' | 'waiting' | 'blocked' | 'active';
export interface StatusSetting {
  kind: StatusKind;
  message: string;
}

export type LogLevel = 'info' | 'warn' | 'error';
export interface LogEntry {
  level: LogLevel;
  /** Already redacted. */
  message: string;
}

/** The minimal service API a charm needs; agents/machine's Services satisfies it structurally. */
export interface CharmServiceSpec {
  name: string;
  /** argv, run without a shell. */
  command: string[];
  env?: Record<string, string>;
  user?: string;
  workingDir?: string;
  restart?: 'on-failure' | 'always' | 'no';
}
export interface CharmServices {
  /** Idempotent; resolves to whether the definition changed (a restart may be due). */
  install(spec: CharmServiceSpec): Promise<unknown>;
  /**
   * install, then running: restarted when the definition changed or `restart` is set, else
   * started. One round trip where it can be; resolves to whether the definition changed.
   */
  ensure(spec: CharmServiceSpec, options?: { restart?: boolean }): Promise<boolean>;
  /**
   * Sets the machine's service manager up ahead of the first install, in a hook where waiting
   * costs nothing, so that the first start costs no more than any other.
   */
  prepare(): Promise<void>;
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  /** `state` (running, stopped, failed, missing), and when known the workload's pid, how often
   * the service manager restarted it and its last exit status. */
  status(name: string): Promise<CharmServiceState>;
  remove(name: string): Promise<void>;
  /** The last `lines` lines of the service's output (its log, or the journal under systemd). */
  logs(name: string, lines: number): Promise<string>;
}
export interface CharmServiceState {
  name: string;
  state: string;
  pid?: number;
  restarts?: number;
  exitCode?: number;
}

/**
 * A cheap health check the unit's machine agent runs between hooks, every `everyMs` (DESIGN
 * §11): a shell command on the unit's machine that fails by exiting non-zero or outliving
 * `timeoutMs` (default 5 s, at most `everyMs`), or a service that fails when it is not running
 * or was restarted since the last run.
 */
export type HealthCheckSpec =
  { command: string; everyMs: number; timeoutMs?: number } | { service: string; everyMs: number };

/** A declared check as the unit agent keeps it: its spec and, while it fails, what it said. */
export interface DeclaredCheck {
  spec: HealthCheckSpec;
  /** What the last run said when it failed (`service etcd is stopped ...`); absent: passing or
   * not run yet. */
  failing?: string;
  /** How many runs in a row have failed; absent: passing. */
  failedRuns?: number;
}

/** ctx.checks: the unit's health checks, declared from hooks and kept until removed. */
export interface HealthChecksView {
  /** Declares or replaces a check, committed with the hook; one set again unchanged keeps its
   * verdict. A bad spec throws HealthCheckSpecError. */
  set(name: string, check: HealthCheckSpec): void;
  remove(name: string): void;
  /** The checks failing as this hook started: name → what the last run said. */
  failing(): Readonly<Record<string, string>>;
}

/** The unit's machine. Its effects are immediate, not buffered: hosts have no transactions,
 * which is why hooks must be idempotent (DESIGN §6). */
export interface CharmMachine extends Pick<
  RemoteMachine,
  'run' | 'writeFile' | 'writeFiles' | 'readFile'
> {
  /** The machine's hostname as Rune recorded it when it connected (no round trip). */
  hostname: string;
  services: CharmServices;
  /** Installs OS packages (apt on Debian/Ubuntu); a no-op for those already present. */
  installPackages(names: string[]): Promise<void>;
}
export type { CommandResult };

/** An action run is not a hook; it gets its own marker so `ctx.hook` is never a lie. */
export interface ActionHook {
  kind: 'action';
  action: string;
}

export interface RelationView {
  id: number;
  /** This unit's endpoint. */
  endpoint: string;
  interface: string;
  role: EndpointRole;
  /** For a peer relation: the unit's own application. */
  remoteAppName: string;
  /** Remote units in scope, sorted (a unit departing in this hook is no longer listed). */
  units: readonly string[];
  /** This unit's bag; `private-address` is pre-set. */
  local: WriteBag;
  /** This application's bag: every unit reads it, only the leader writes it. */
  app: WriteBag;
  /** A remote unit's bag (for peers: another unit of this application). */
  remote(unit: string): ReadBag;
  remoteApp(): ReadBag;
}

export interface StoredState {
  get<T extends JsonValue = JsonValue>(key: string): T | undefined;
  set(key: string, value: JsonValue): void;
  delete(key: string): void;
}

export interface ActionView {
  name: string;
  params: Readonly<Record<string, unknown>>;
  setResult(key: string, value: string): void;
  /** Marks the action failed with this message; the hook's writes are still committed. */
  fail(message: string): void;
}

export interface HookContext<C extends ConfigValues = ConfigValues> {
  hook: Hook | ActionHook;
  /** `install`, `db-relation-joined`, or `<action>-action` for an action run. */
  hookName: string;
  unit: string;
  app: string;
  /** This unit's address (its machine's), as `private-address` starts. */
  address: string;
  /** What the model expects, as Juju's goal-state: every alive unit of this application, this
   * one included, sorted by number, whether or not they have joined its peer relations yet. */
  goalState: { units: readonly string[] };
  config: Readonly<Partial<C>>;
  isLeader: boolean;
  /** The application's leader settings (Juju's leader-get/leader-set): every unit reads them,
   * only the leader writes; a committed change runs leader-settings-changed on the others.
   * Kept in the store only, never shown by status or exported, so secrets may live here. */
  leaderSettings: WriteBag;
  /** Relations on one endpoint (sorted by id), or all when no endpoint is given. */
  relations(endpoint?: string): RelationView[];
  /** For relation hooks: the relation the hook is about. */
  relation?: RelationView;
  /** For -joined, -departed and unit -changed hooks: the remote unit it is about. */
  remoteUnit?: string;
  state: StoredState;
  /**
   * The unit's workload status (collect-status, as ops has it): `add` as many as the hook finds
   * and the most severe is kept (blocked > maintenance > waiting > active; the first added among
   * equals); `set` replaces everything added or set before it in this hook. A hook that adds and
   * sets nothing leaves the status as it was.
   */
  status: {
    add(kind: StatusKind, message: string): void;
    set(kind: StatusKind, message: string): void;
  };
  log: { info(message: string): void; warn(message: string): void; error(message: string): void };
  /**
   * Asks for an update-status hook as soon as this unit has no other hook due (others come
   * first): for work this hook chose to leave for later rather than hold its commit for.
   */
  requeue(): void;
  /**
   * Health checks (DESIGN §11): while one fails, its status is added to whatever this hook
   * leaves, and a change of verdict runs update-status, so a reconcile repairs and reports.
   */
  checks: HealthChecksView;
  action?: ActionView;
  machine: CharmMachine;
  /** Where an attached resource (metadata.yaml `resources:`) is on this unit's machine, put
   * there on first use; undefined while the operator has attached none
   * (`rune attach-resource APP NAME=PATH`). An undeclared name throws. */
  resource(name: string): Promise<string | undefined>;
}

/** One relation as the runtime (or harness) read it from the store before the hook. */
export interface RelationState {
  id: number;
  endpoint: string;
  remoteApp: string;
  /** This unit's bag. */
  local: Bag;
  /** This application's bag. */
  app: Bag;
  /** Every remote unit whose data is readable, keyed by unit name (the departing one included). */
  remoteUnits: Record<string, Bag>;
  remoteAppData: Bag;
}

/** Seam for core/interfaces: validates one bag as it would be committed; throws to fail the hook. */
export type ValidateWrite = (
  relation: {
    id: number;
    endpoint: string;
    interface: string;
    role: EndpointRole;
    remoteApp: string;
  },
  owner: string,
  bag: Readonly<Record<string, string>>,
) => void;

export interface HookContextInput {
  meta: CharmMeta;
  hook: Hook | ActionHook;
  unit: string;
  config: ConfigValues;
  isLeader: boolean;
  /** The application's leader settings as the hook starts (none when absent). */
  leaderSettings?: Bag;
  /** This unit's address: the value `private-address` has when the bag does not hold one. */
  privateAddress: string;
  /** The application's alive units (goal-state); absent: this unit alone. */
  goalUnits?: readonly string[];
  relations: readonly RelationState[];
  state: Readonly<Record<string, JsonValue>>;
  machine: CharmMachine;
  action?: { name: string; params: Record<string, unknown> };
  /** Fetches a declared resource onto the machine (the runtime) or names where it is (the
   * harness); undefined when none is attached. Absent: no resource is ever attached. */
  resource?: (name: string) => Promise<string | undefined>;
  /** Every log line and status message passes through this (STYLE.md practice 6). */
  redact: (text: string) => string;
  validateWrite?: ValidateWrite;
  /** The unit's declared health checks as the hook starts; absent: none. */
  checks?: Readonly<Record<string, DeclaredCheck>>;
}

export interface RelationWrites {
  relationId: number;
  endpoint: string;
  unit: BagWrites;
  app: BagWrites;
}

export interface ActionOutcome {
  name: string;
  results: Record<string, string>;
  /** Set when the handler called `fail()`. */
  failed?: string;
}

/** What a successful hook asks the runtime to commit, in one store transaction. */
export interface HookOutcome {
  hookName: string;
  /** Only relations with a net change, sorted by id. */
  relations: RelationWrites[];
  /** The status the hook leaves (ctx.status: the most severe added since the last set), if any. */
  status?: StatusSetting;
  state: { set: Record<string, JsonValue>; deleted: string[] };
  /** Net changes to the leader settings (only a leader's hook has any). */
  leaderSettings: BagWrites;
  logs: LogEntry[];
  action?: ActionOutcome;
  /** ctx.requeue() was called: update-status is due once nothing else is. */
  requeue?: true;
  /** Net changes to the declared health checks: new or changed specs, and removed names. */
  checks?: CheckChanges;
}

export interface CheckChanges {
  set: Record<string, HealthCheckSpec>;
  removed: string[];
}

export interface HookRun<C extends ConfigValues = ConfigValues> {
  ctx: HookContext<C>;
  /** Closes the context (later writes throw), validates the bags and returns the outcome. */
  finish: () => HookOutcome;
  /** Closes the context after a throw: the buffered writes are dropped, later writes throw. */
  discard: () => void;
  /** Logs so far: kept even when the hook throws, for debug-log. */
  logs: () => LogEntry[];
}
