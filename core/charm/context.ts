// What a charm's handler receives for one hook or action run (DESIGN §7), and the outcome the
// runtime commits in one transaction when the handler succeeds (DESIGN §6). Pure: the machine,
// redaction and databag validation are injected; nothing here touches the store or a host.
import type { ConfigValues } from '../model/types.js';
import { BufferedBag, type ReadBag, readBag } from './bags.js';
import type {
  ActionView,
  HookContext,
  HookContextInput,
  HookOutcome,
  HookRun,
  JsonValue,
  LogEntry,
  LogLevel,
  RelationState,
  RelationView,
  RelationWrites,
} from './context-types.js';
import type { RelationHook } from './hooks.js';
import { CheckDeclarations, failingStatus } from './checks.js';
import { StatusCollector, mostSevere } from './status.js';
import { hookName as nameOfHook, isRelationHook } from './hooks.js';
import {
  AppBagWriteError,
  HookFinishedError,
  LeaderSettingsWriteError,
  RemoteUnitNotInScopeError,
  StateValueError,
  UnknownEndpointError,
  UnknownResourceError,
} from './hook-errors.js';
import { own } from '../model/own.js';

export function appOf(unit: string): string {
  const slash = unit.indexOf('/');
  return slash < 0 ? unit : unit.slice(0, slash);
}

export function actionHookName(action: string): string {
  return `${action}-action`;
}

function cloneJson(unit: string, key: string, value: unknown): JsonValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new StateValueError(unit, key, `cannot be stored: ${(e as Error).message}`);
  }
  if (text === undefined)
    throw new StateValueError(unit, key, `cannot be stored (${typeof value})`);
  return JSON.parse(text) as JsonValue;
}

interface BuiltRelation {
  view: RelationView;
  state: RelationState;
  local: BufferedBag;
  app: BufferedBag;
}

export function createHookContext<C extends ConfigValues = ConfigValues>(
  input: HookContextInput,
): HookRun<C> {
  const { meta, unit, hook, redact } = input;
  const app = appOf(unit);
  const name = hook.kind === 'action' ? actionHookName(hook.action) : nameOfHook(hook);
  const relationHook: RelationHook | undefined =
    hook.kind !== 'action' && isRelationHook(hook) ? hook : undefined;
  let closed = false;
  const open = (what: string): void => {
    if (closed) throw new HookFinishedError(name, what);
  };

  const built: BuiltRelation[] = [...input.relations]
    .sort((a, b) => a.id - b.id)
    .map((rel) => buildRelation(rel));

  function buildRelation(rel: RelationState): BuiltRelation {
    const spec = meta.endpoints.find((e) => e.name === rel.endpoint);
    if (!spec) throw new UnknownEndpointError(meta.name, rel.endpoint, endpointNames());
    const label = `${rel.endpoint}:${rel.id}`;
    const local = new BufferedBag(
      { 'private-address': input.privateAddress, ...rel.local },
      { relation: label, unit, guard: (key) => open(`write of "${key}" to relation ${label}`) },
    );
    const appBag = new BufferedBag(rel.app, {
      relation: label,
      unit,
      guard: (key) => {
        open(`write of "${key}" to relation ${label}`);
        if (!input.isLeader) throw new AppBagWriteError(label, unit, key);
      },
    });
    const departing =
      relationHook?.kind === 'relation-departed' && relationHook.relationId === rel.id
        ? relationHook.remoteUnit
        : undefined;
    const readable = Object.keys(rel.remoteUnits).sort();
    const units = readable.filter((u) => u !== departing);
    // Made on first read: a master's hook sees 1,000 workers' bags and reads few of them.
    const remoteBags = new Map<string, ReadBag>();
    // Peers share one app bag: the remote app *is* this app, so reads see this hook's writes.
    const remoteAppBag = spec.role === 'peer' ? appBag : readBag(rel.remoteAppData);
    const view: RelationView = {
      id: rel.id,
      endpoint: rel.endpoint,
      interface: spec.interface,
      role: spec.role,
      remoteAppName: rel.remoteApp,
      units,
      local,
      app: appBag,
      remote(remoteUnit) {
        let bag = remoteBags.get(remoteUnit);
        if (bag === undefined) {
          if (!Object.hasOwn(rel.remoteUnits, remoteUnit))
            throw new RemoteUnitNotInScopeError(label, remoteUnit, units);
          remoteBags.set(remoteUnit, (bag = readBag(rel.remoteUnits[remoteUnit] ?? {})));
        }
        return bag;
      },
      remoteApp: () => remoteAppBag,
    };
    return { view, state: rel, local, app: appBag };
  }

  function endpointNames(): string[] {
    return meta.endpoints.map((e) => e.name);
  }

  // `deleted` rather than null: null is a JSON value a charm may store.
  const pendingState = new Map<string, { value: JsonValue } | 'deleted'>();
  const baseState = input.state;
  const status = new StatusCollector();
  const checks = new CheckDeclarations(unit, input.checks ?? {}, open);
  let requeued = false;
  const logs: LogEntry[] = [];
  const log = (level: LogLevel) => (message: string) => {
    logs.push({ level, message: redact(String(message)) });
  };

  const results: Record<string, string> = {};
  let failed: string | undefined;
  const action: ActionView | undefined = input.action && {
    name: input.action.name,
    params: Object.freeze({ ...input.action.params }),
    setResult(key, value) {
      open(`action result "${key}"`);
      results[key] = String(value);
    },
    fail(message) {
      open('action fail()');
      failed = redact(String(message));
    },
  };

  const leaderSettings = new BufferedBag(input.leaderSettings ?? {}, {
    relation: 'leader settings',
    unit,
    guard: (key) => {
      open(`leader settings write of "${key}"`);
      if (!input.isLeader) throw new LeaderSettingsWriteError(unit, key);
    },
  });

  const current = relationHook && built.find((b) => b.view.id === relationHook.relationId)?.view;

  const ctx: HookContext<C> = {
    hook,
    hookName: name,
    unit,
    app,
    config: Object.freeze({ ...input.config }) as Readonly<Partial<C>>,
    isLeader: input.isLeader,
    address: input.privateAddress,
    goalState: Object.freeze({ units: Object.freeze([...(input.goalUnits ?? [unit])]) }),
    leaderSettings,
    relations(endpoint) {
      if (endpoint !== undefined && !meta.endpoints.some((e) => e.name === endpoint)) {
        throw new UnknownEndpointError(meta.name, endpoint, endpointNames());
      }
      // In its -broken hook the relation is gone for the charm (as ops 2 has it): a reconcile
      // there sees the model it is about to be left with; ctx.relation still names it.
      const broken = relationHook?.kind === 'relation-broken' ? relationHook.relationId : undefined;
      return built
        .filter((b) => endpoint === undefined || b.view.endpoint === endpoint)
        .filter((b) => b.view.id !== broken)
        .map((b) => b.view);
    },
    state: {
      get<T extends JsonValue = JsonValue>(key: string): T | undefined {
        const pending = pendingState.get(key);
        const value =
          pending === undefined
            ? own(baseState, key)
            : pending === 'deleted'
              ? undefined
              : pending.value;
        // A copy, so mutating what was read cannot change what gets committed.
        return value === undefined ? undefined : (cloneJson(unit, key, value) as T);
      },
      set(key, value) {
        open(`state write of "${key}"`);
        pendingState.set(key, { value: cloneJson(unit, key, value) });
      },
      delete(key) {
        open(`state delete of "${key}"`);
        pendingState.set(key, 'deleted');
      },
    },
    status: {
      add(kind, message) {
        open('status.add()');
        status.add({ kind, message: redact(String(message)) });
      },
      set(kind, message) {
        open('status.set()');
        status.set({ kind, message: redact(String(message)) });
      },
    },
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    requeue() {
      open('requeue()');
      requeued = true;
    },
    checks: checks.view(),
    machine: input.machine,
    resource(resourceName) {
      if (!Object.hasOwn(meta.resources, resourceName)) {
        const declared = Object.keys(meta.resources);
        return Promise.reject(new UnknownResourceError(meta.name, resourceName, declared));
      }
      return input.resource ? input.resource(resourceName) : Promise.resolve(undefined);
    },
  };
  if (current) ctx.relation = current;
  if (relationHook?.remoteUnit !== undefined) ctx.remoteUnit = relationHook.remoteUnit;
  if (action) ctx.action = action;

  function finish(): HookOutcome {
    closed = true;
    const relations: RelationWrites[] = [];
    for (const b of built) {
      const unitWrites = b.local.changes();
      const appWrites = b.app.changes();
      if (Object.keys(unitWrites).length === 0 && Object.keys(appWrites).length === 0) continue;
      if (input.validateWrite) {
        const rel = {
          id: b.view.id,
          endpoint: b.view.endpoint,
          interface: b.view.interface,
          role: b.view.role,
          remoteApp: b.view.remoteAppName,
        };
        if (Object.keys(unitWrites).length > 0) input.validateWrite(rel, unit, b.local.toObject());
        if (Object.keys(appWrites).length > 0) input.validateWrite(rel, app, b.app.toObject());
      }
      relations.push({
        relationId: b.view.id,
        endpoint: b.view.endpoint,
        unit: unitWrites,
        app: appWrites,
      });
    }
    const set: Record<string, JsonValue> = {};
    const deleted: string[] = [];
    for (const key of [...pendingState.keys()].sort()) {
      const pending = pendingState.get(key);
      if (pending === 'deleted') {
        if (Object.hasOwn(baseState, key)) deleted.push(key);
      } else if (pending && JSON.stringify(pending.value) !== JSON.stringify(baseState[key])) {
        set[key] = pending.value;
      }
    }
    const outcome: HookOutcome = {
      hookName: name,
      relations,
      state: { set, deleted },
      leaderSettings: leaderSettings.changes(),
      logs: [...logs],
    };
    // A status this hook leaves cannot hide a check still failing (its verdict stands until the
    // check passes again); a hook that leaves none leaves the agent's as it is.
    const left = status.result();
    const unhealthy = left && failingStatus(checks.after());
    if (left) outcome.status = unhealthy ? (mostSevere([left, unhealthy]) ?? left) : left;
    if (requeued) outcome.requeue = true;
    const declared = checks.changes();
    if (declared) outcome.checks = declared;
    if (action) {
      outcome.action = { name: action.name, results: { ...results } };
      if (failed !== undefined) outcome.action.failed = failed;
    }
    return outcome;
  }

  const discard = (): void => {
    closed = true;
  };
  return { ctx, finish, discard, logs: () => [...logs] };
}
