// Typed errors of the charm SDK (hook context, dispatch, harness): each names the relation, unit
// or rule at fault and says what to do. Kept apart from errors.ts, which holds loading errors.
import { RuneError } from '../model/errors.js';

/** A follower wrote (or deleted from) its application's databag: only the leader may (DESIGN §6). */
export class LeaderSettingsWriteError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly unit: string,
    readonly key: string,
  ) {
    super(
      `${unit} is not the leader and cannot write "${key}" to the leader settings; ` +
        'only the leader writes them — guard the write with ctx.isLeader',
    );
  }
}

export class UnknownResourceError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly charm: string,
    readonly resource: string,
    readonly declared: string[],
  ) {
    super(
      `charm ${charm} declares no resource "${resource}" ` +
        (declared.length > 0
          ? `(its resources: ${declared.join(', ')})`
          : '(add it under resources: in metadata.yaml)'),
    );
  }
}

export class AppBagWriteError extends RuneError {
  readonly kind = 'user';

  constructor(
    /** `endpoint:id`, e.g. `cluster:3`. */
    readonly relation: string,
    readonly unit: string,
    readonly key: string,
  ) {
    super(
      `${unit} is not the leader and cannot write "${key}" to the application databag of ` +
        `relation ${relation}; only the leader writes app data — guard the write with ctx.isLeader`,
    );
  }
}

/** A databag key or value the store could never hold (values are strings, keys non-empty). */
export class RelationDataError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly relation: string,
    readonly unit: string,
    readonly key: string,
    readonly problem: string,
  ) {
    super(`relation ${relation}, ${unit}, key "${key}": ${problem}`);
  }
}

/** `ctx.relations(name)` for an endpoint the charm's metadata.yaml does not declare. */
export class UnknownEndpointError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly charm: string,
    readonly endpoint: string,
    readonly known: readonly string[],
  ) {
    const list = known.length > 0 ? known.join(', ') : 'none';
    super(`charm ${charm} has no endpoint "${endpoint}" in metadata.yaml; its endpoints: ${list}`);
  }
}

/** `relation.remote(unit)` for a unit that is not in the relation's scope. */
export class RemoteUnitNotInScopeError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly relation: string,
    readonly unit: string,
    readonly inScope: readonly string[],
  ) {
    const list = inScope.length > 0 ? inScope.join(', ') : 'none';
    super(`unit ${unit} is not in scope of relation ${relation}; units in scope: ${list}`);
  }
}

/** `ctx.state.set` with a value that does not survive JSON (functions, undefined, cycles). */
export class StateValueError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly unit: string,
    readonly key: string,
    readonly problem: string,
  ) {
    super(`${unit}: state key "${key}" ${problem}; stored state holds JSON values only`);
  }
}

/** A write after the hook returned: its outcome is already collected, so the write would be lost. */
export class HookFinishedError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly hookName: string,
    readonly what: string,
  ) {
    super(
      `${what} after hook "${hookName}" returned; await every promise inside the handler ` +
        `(a write after return would be silently lost)`,
    );
  }
}

/** A defineCharm() whose handler keys cannot match any hook. */
export class CharmDefinitionError extends RuneError {
  readonly kind = 'user';

  constructor(readonly problems: readonly string[]) {
    super(`invalid charm definition:\n  ${problems.join('\n  ')}`);
  }
}

/** An action run for which the charm module has no handler. */
export class MissingActionHandlerError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly action: string,
    readonly handled: readonly string[],
  ) {
    const list = handled.length > 0 ? handled.join(', ') : 'none';
    super(`the charm has no handler for action "${action}"; actions it handles: ${list}`);
  }
}

/** Rules a harness state can break: each is a state the real runtime could never produce. */
export type ImpossibleRule =
  | 'unit-name'
  | 'unknown-endpoint'
  | 'duplicate-relation'
  | 'endpoint-limit'
  | 'remote-unit-app'
  | 'peer-remote-app'
  | 'own-unit-remote'
  | 'config'
  | 'unknown-relation'
  | 'hook-relation-mismatch'
  | 'remote-unit-missing'
  | 'remote-unit-unexpected'
  | 'remote-unit-not-in-scope'
  | 'changed-before-joined'
  | 'units-at-created'
  | 'units-at-broken'
  | 'leadership'
  | 'unknown-action'
  | 'action-params';

/** The harness was given a state (or hook) Rune could never produce. */
export class ImpossibleStateError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly rule: ImpossibleRule,
    readonly detail: string,
  ) {
    super(`impossible state: ${detail}`);
  }
}

/** The harness's fake machine was asked something its author gave it no answer for. */
export class FakeMachineError extends RuneError {
  readonly kind = 'user';

  constructor(readonly detail: string) {
    super(`fake machine: ${detail}`);
  }
}

/** A command was built with a NUL byte in one of its words: no argv can carry one. */
export class ShellWordError extends RuneError {
  readonly kind = 'internal';

  constructor(readonly word: string) {
    super(`cannot pass a NUL byte to a shell command: ${JSON.stringify(word.slice(0, 40))}`);
  }
}

/** `ctx.checks.set` with a spec the machine agent could not run as declared. */
export class HealthCheckSpecError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly unit: string,
    readonly check: string,
    readonly problems: readonly string[],
  ) {
    super(`${unit}: health check "${check}": ${problems.join('; ')}`);
  }
}
