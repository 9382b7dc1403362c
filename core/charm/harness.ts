// The charm author's test harness, after canonical/operator's: state in → one hook → state out.
// It loads the charm's real metadata/config/actions, refuses states Rune could never produce
// (harness-checks.ts), runs the hook as the unit agent would and commits the outcome in memory.
import { redact as defaultRedact } from '../model/redact.js';
import type { Bag, BagWrites } from './bags.js';
import { applyCheckChanges } from './checks.js';
import type {
  ActionHook,
  ActionOutcome,
  DeclaredCheck,
  HookContextInput,
  HookOutcome,
  JsonValue,
  LogEntry,
  RelationState,
  StatusSetting,
  ValidateWrite,
} from './context-types.js';
import { type MachineCall, type MachineState, fakeMachine } from './fake-machine.js';
import {
  type HarnessHook,
  type HarnessRelation,
  checkAction,
  checkHook,
  checkState,
} from './harness-checks.js';
import { CharmDefinitionError } from './hook-errors.js';
import type { Hook } from './hooks.js';
import { loadCharm } from './loader.js';
import { type CharmModule, checkCharmModule, runHook } from './sdk.js';
import type { Charm } from './types.js';

export type { HarnessHook, HarnessRelation, HarnessRelationHook } from './harness-checks.js';

export interface HarnessState {
  /** `counter/0`; the application is the part before the slash. */
  unit: string;
  isLeader?: boolean;
  /** Attached resources: name → where the file is on the machine (ctx.resource()). */
  resources?: Record<string, string>;
  /** The application's leader settings (ctx.leaderSettings). */
  leaderSettings?: Record<string, string>;
  /** This unit's address (`private-address`); default 192.0.2.<n+1>. */
  address?: string;
  /** ctx.goalState.units: the application's expected units; default this unit alone. */
  goalUnits?: string[];
  /** Operator-set values; checked against config.yaml, then defaults fill the rest. */
  config?: Record<string, unknown>;
  relations?: HarnessRelation[];
  /** Persistent per-unit state (ctx.state). */
  stored?: Record<string, JsonValue>;
  status?: StatusSetting;
  /** Declared health checks (ctx.checks), with `failing` set for one the agent saw fail. */
  checks?: Record<string, DeclaredCheck>;
  machine?: MachineState;
}

export interface HarnessResult {
  ok: boolean;
  /** What the hook threw; its writes were discarded. */
  error?: unknown;
  /** The state the next hook would see: the outcome committed, or (on failure) the input with
   * only the machine's effects, which no runtime can roll back. */
  state: HarnessState;
  outcome?: HookOutcome;
  logs: LogEntry[];
  machineCalls: MachineCall[];
  action?: ActionOutcome;
}

export interface HarnessOptions {
  /** Default: the controller's redact(), the one gate secrets pass (STYLE.md practice 6). */
  redact?: (text: string) => string;
  /** Databag validation seam for core/interfaces schemas. */
  validateWrite?: ValidateWrite;
}

function unitNumber(unit: string): number {
  const n = Number(unit.slice(unit.indexOf('/') + 1));
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

function applyWrites(bag: Bag | undefined, writes: BagWrites): Record<string, string> {
  const out: Record<string, string> = { ...bag };
  for (const [key, value] of Object.entries(writes)) {
    if (value === null) delete out[key];
    else out[key] = value;
  }
  return out;
}

export class Harness {
  constructor(
    readonly charm: Charm,
    readonly module: CharmModule,
    private readonly options: HarnessOptions = {},
  ) {
    const problems = checkCharmModule(module, charm);
    if (problems.length > 0) throw new CharmDefinitionError(problems);
  }

  /** Loads the charm folder's metadata.yaml, config.yaml and actions.yaml with the real loader. */
  static load(dir: string, module: CharmModule, options: HarnessOptions = {}): Harness {
    return new Harness(loadCharm(dir), module, options);
  }

  /** Runs one hook: `'install'`, or `{ kind: 'relation-joined', relationId: 1, remoteUnit }`. */
  async run(state: HarnessState, hook: HarnessHook): Promise<HarnessResult> {
    const relations = state.relations ?? [];
    const config = checkState(this.charm, state.unit, relations, state.config ?? {});
    const checked = checkHook(hook, state.isLeader ?? false, relations);
    return this.execute(state, config, checked);
  }

  /** Runs an action declared in actions.yaml, its params checked and defaulted by its schema. */
  async runAction(
    state: HarnessState,
    name: string,
    params: Record<string, unknown> = {},
  ): Promise<HarnessResult> {
    const config = checkState(this.charm, state.unit, state.relations ?? [], state.config ?? {});
    const withDefaults = checkAction(this.charm, name, params);
    return this.execute(
      state,
      config,
      { kind: 'action', action: name },
      { name, params: withDefaults },
    );
  }

  private async execute(
    state: HarnessState,
    config: HookContextInput['config'],
    hook: Hook | ActionHook,
    action?: { name: string; params: Record<string, unknown> },
  ): Promise<HarnessResult> {
    const address = state.address ?? `192.0.2.${(unitNumber(state.unit) % 254) + 1}`;
    // A -joined unit enters scope as the hook runs: the runtime has its bag by then.
    const relations = (state.relations ?? []).map((rel) => {
      const joining =
        'relationId' in hook && hook.kind === 'relation-joined' && hook.relationId === rel.id
          ? hook.remoteUnit
          : undefined;
      const remoteUnits = { ...rel.remoteUnits };
      if (joining !== undefined && !(joining in remoteUnits)) remoteUnits[joining] = {};
      return { ...rel, remoteUnits };
    });
    const machine = fakeMachine(state.machine);
    const input: HookContextInput = {
      meta: this.charm.meta,
      hook,
      unit: state.unit,
      config,
      isLeader: state.isLeader ?? false,
      leaderSettings: state.leaderSettings ?? {},
      privateAddress: address,
      ...(state.goalUnits === undefined ? {} : { goalUnits: state.goalUnits }),
      relations: relations.map((rel): RelationState => ({
        id: rel.id,
        endpoint: rel.endpoint,
        remoteApp: rel.remoteApp,
        local: rel.local ?? {},
        app: rel.app ?? {},
        remoteUnits: rel.remoteUnits,
        remoteAppData: rel.remoteAppData ?? {},
      })),
      state: state.stored ?? {},
      machine: machine.machine,
      redact: this.options.redact ?? defaultRedact,
      ...(state.checks === undefined ? {} : { checks: state.checks }),
    };
    if (this.options.validateWrite) input.validateWrite = this.options.validateWrite;
    if (action) input.action = action;
    const attached = state.resources ?? {};
    input.resource = (name) => Promise.resolve(attached[name]);
    const result = await runHook(this.module, input);
    const machineState = machine.state();
    if (!result.ok) {
      return {
        ok: false,
        error: result.error,
        state: { ...state, machine: machineState },
        logs: result.logs,
        machineCalls: machine.calls,
      };
    }
    const outcome = result.outcome;
    const out: HarnessState = {
      ...state,
      address,
      relations: this.commitRelations(relations, outcome, address, hook),
      stored: this.commitStored(state.stored ?? {}, outcome),
      leaderSettings: applyWrites(state.leaderSettings, outcome.leaderSettings),
      machine: machineState,
    };
    const status = outcome.status ?? state.status;
    if (status) out.status = status;
    if (outcome.checks) out.checks = applyCheckChanges(state.checks, outcome.checks);
    const done: HarnessResult = {
      ok: true,
      state: out,
      outcome,
      logs: outcome.logs,
      machineCalls: machine.calls,
    };
    if (outcome.action) done.action = outcome.action;
    return done;
  }

  /** Bags after the commit; a departed unit leaves scope and a broken relation leaves the state. */
  private commitRelations(
    relations: HarnessRelation[],
    outcome: HookOutcome,
    address: string,
    hook: Hook | ActionHook,
  ): HarnessRelation[] {
    const out: HarnessRelation[] = [];
    for (const rel of relations) {
      const about = 'relationId' in hook && hook.relationId === rel.id ? hook : undefined;
      if (about?.kind === 'relation-broken') continue;
      const writes = outcome.relations.find((w) => w.relationId === rel.id);
      const next: HarnessRelation = {
        ...rel,
        local: applyWrites({ 'private-address': address, ...rel.local }, writes?.unit ?? {}),
        app: applyWrites(rel.app, writes?.app ?? {}),
      };
      if (about?.kind === 'relation-departed' && about.remoteUnit !== undefined) {
        const rest = { ...rel.remoteUnits };
        delete rest[about.remoteUnit];
        next.remoteUnits = rest;
      }
      out.push(next);
    }
    return out;
  }

  private commitStored(
    stored: Record<string, JsonValue>,
    outcome: HookOutcome,
  ): Record<string, JsonValue> {
    const out = { ...stored, ...outcome.state.set };
    for (const key of outcome.state.deleted) delete out[key];
    return out;
  }
}
