// The harness's guard: states and hooks Rune could never produce (DESIGN §6 ordering and
// relation rules), each refused with an ImpossibleStateError that says what and why. Pure.
import { checkActionParams } from './action-params.js';
import type { ConfigValues } from '../model/types.js';
import { parseUnitName } from '../model/names.js';
import { defaultConfig, validateConfigValues } from './config.js';
import type { Bag } from './bags.js';
import { ImpossibleStateError } from './hook-errors.js';
import type { Hook, LifecycleHookKind, RelationHookKind } from './hooks.js';
import type { Charm } from './types.js';

export interface HarnessRelation {
  id: number;
  /** This unit's endpoint. */
  endpoint: string;
  /** For a peer relation: the unit's own application. */
  remoteApp: string;
  /** This unit's bag (`private-address` is added when absent). */
  local?: Bag;
  /** This application's bag. */
  app?: Bag;
  remoteAppData?: Bag;
  /** Remote units in scope — those whose -joined has run — with their bags. */
  remoteUnits?: Record<string, Bag>;
}

/** A relation hook as an author writes it: endpoint and remote app come from the state. */
export interface HarnessRelationHook {
  kind: RelationHookKind;
  relationId: number;
  remoteUnit?: string;
  /** Checked against the state when given. */
  endpoint?: string;
  remoteApp?: string;
}

export type HarnessHook = LifecycleHookKind | HarnessRelationHook;

const fail = (rule: ConstructorParameters<typeof ImpossibleStateError>[0], detail: string) =>
  new ImpossibleStateError(rule, detail);

/** Checks the unit, relations and config; returns the config with defaults applied. */
export function checkState(
  charm: Charm,
  unit: string,
  relations: readonly HarnessRelation[],
  config: Record<string, unknown>,
): ConfigValues {
  const parsed = parseUnitName(unit);
  if (!parsed) {
    throw fail(
      'unit-name',
      `unit "${unit}" is not a unit name; Rune names units <app>/<n>, e.g. ${charm.meta.name}/0`,
    );
  }
  const app = parsed.application;
  const seen = new Set<number>();
  const perEndpoint = new Map<string, number>();
  for (const rel of relations) {
    const label = `${rel.endpoint}:${rel.id}`;
    const spec = charm.meta.endpoints.find((e) => e.name === rel.endpoint);
    if (!spec) {
      const known = charm.meta.endpoints.map((e) => e.name).join(', ') || 'none';
      throw fail(
        'unknown-endpoint',
        `relation ${label} is on endpoint "${rel.endpoint}", which metadata.yaml of ${charm.meta.name} ` +
          `does not declare (endpoints: ${known}); Rune only relates declared endpoints`,
      );
    }
    if (seen.has(rel.id)) {
      throw fail(
        'duplicate-relation',
        `relation id ${rel.id} appears twice; relation ids are unique and never reused`,
      );
    }
    seen.add(rel.id);
    const count = (perEndpoint.get(rel.endpoint) ?? 0) + 1;
    perEndpoint.set(rel.endpoint, count);
    const limit = spec.role === 'peer' ? 1 : spec.limit;
    if (limit !== undefined && count > limit) {
      const why =
        spec.role === 'peer' ? 'a peer endpoint has exactly one relation' : `its limit is ${limit}`;
      throw fail('endpoint-limit', `endpoint "${rel.endpoint}" has ${count} relations, but ${why}`);
    }
    if (spec.role === 'peer' && rel.remoteApp !== app) {
      throw fail(
        'peer-remote-app',
        `peer relation ${label} has remote app "${rel.remoteApp}", but peers are units of the ` +
          `unit's own application "${app}"`,
      );
    }
    for (const remote of Object.keys(rel.remoteUnits ?? {})) {
      checkRemoteUnit(rel, remote);
      if (remote === unit) {
        throw fail(
          'own-unit-remote',
          `relation ${label} lists ${unit} as its own remote unit; a unit never relates to itself`,
        );
      }
    }
  }
  const { values, problems } = validateConfigValues(charm.meta.name, charm.config, config, 'exact');
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.option}: ${p.message}`).join('; ');
    throw fail('config', `config the controller would refuse: ${list}`);
  }
  return { ...defaultConfig(charm.config), ...values };
}

function checkRemoteUnit(rel: HarnessRelation, remote: string): void {
  const parsed = parseUnitName(remote);
  if (!parsed || parsed.application !== rel.remoteApp) {
    throw fail(
      'remote-unit-app',
      `relation ${rel.endpoint}:${rel.id} is with "${rel.remoteApp}", but lists remote unit ` +
        `"${remote}", which is not a unit of ${rel.remoteApp}`,
    );
  }
}

/** Turns an author's hook into the runtime's Hook, refusing what the runtime would never run. */
export function checkHook(
  hook: HarnessHook,
  isLeader: boolean,
  relations: readonly HarnessRelation[],
): Hook {
  if (typeof hook === 'string') {
    if (hook === 'leader-elected' && !isLeader) {
      throw fail(
        'leadership',
        'leader-elected runs only on the leader, but the state has isLeader: false',
      );
    }
    if (hook === 'leader-settings-changed' && isLeader) {
      throw fail(
        'leadership',
        'leader-settings-changed runs only on followers, but the state has isLeader: true',
      );
    }
    return { kind: hook };
  }
  const rel = relations.find((r) => r.id === hook.relationId);
  if (!rel) {
    const ids = relations.map((r) => `${r.endpoint}:${r.id}`).join(', ') || 'none';
    throw fail(
      'unknown-relation',
      `${hook.kind} for relation id ${hook.relationId}, which the state does not hold (relations: ${ids}); ` +
        'Rune runs relation hooks only for relations the unit is in',
    );
  }
  const label = `${rel.endpoint}:${rel.id}`;
  for (const [field, given, actual] of [
    ['endpoint', hook.endpoint, rel.endpoint],
    ['remoteApp', hook.remoteApp, rel.remoteApp],
  ] as const) {
    if (given !== undefined && given !== actual) {
      throw fail(
        'hook-relation-mismatch',
        `hook says ${field} "${given}" but relation ${label} has "${actual}"`,
      );
    }
  }
  const inScope = Object.keys(rel.remoteUnits ?? {});
  const remote = hook.remoteUnit;
  const name = `${rel.endpoint}-${hook.kind}`;
  if (
    remote === undefined &&
    (hook.kind === 'relation-joined' || hook.kind === 'relation-departed')
  ) {
    throw fail(
      'remote-unit-missing',
      `${name} on ${label} needs remoteUnit: it is always about one remote unit`,
    );
  }
  if (
    remote !== undefined &&
    (hook.kind === 'relation-created' || hook.kind === 'relation-broken')
  ) {
    throw fail(
      'remote-unit-unexpected',
      `${name} on ${label} is about the relation, not a unit; drop remoteUnit "${remote}"`,
    );
  }
  if (remote !== undefined) checkRemoteUnit(rel, remote);
  if (remote !== undefined && !inScope.includes(remote)) {
    if (hook.kind === 'relation-changed') {
      throw fail(
        'changed-before-joined',
        `${name} for ${remote} on ${label} before ${rel.endpoint}-relation-joined: Rune always runs -joined ` +
          `for a unit first (DESIGN §6); run -joined, or list ${remote} in remoteUnits`,
      );
    }
    if (hook.kind === 'relation-departed') {
      throw fail(
        'remote-unit-not-in-scope',
        `${name} for ${remote} on ${label}, which is not in scope (in scope: ${inScope.join(', ') || 'none'}); ` +
          'only a joined unit can depart',
      );
    }
  }
  if (hook.kind === 'relation-created' && inScope.length > 0) {
    throw fail(
      'units-at-created',
      `${name} on ${label} with remote units in scope (${inScope.join(', ')}); -created runs before any -joined`,
    );
  }
  if (hook.kind === 'relation-broken' && inScope.length > 0) {
    throw fail(
      'units-at-broken',
      `${name} on ${label} with remote units in scope (${inScope.join(', ')}); every unit departs before -broken`,
    );
  }
  const out: Hook = {
    kind: hook.kind,
    relationId: rel.id,
    endpoint: rel.endpoint,
    remoteApp: rel.remoteApp,
  };
  if (remote !== undefined) out.remoteUnit = remote;
  return out;
}

/** Checks an action run against actions.yaml; returns the params with schema defaults applied. */
export function checkAction(
  charm: Charm,
  name: string,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const checked = checkActionParams(charm, name, params);
  if (checked.ok) return checked.params;
  throw fail(
    checked.problem === 'unknown-action' ? 'unknown-action' : 'action-params',
    checked.problem === 'unknown-action'
      ? `${checked.message}; Rune refuses undeclared actions`
      : checked.message,
  );
}
