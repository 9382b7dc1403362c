// How a charm is written (DESIGN §7): `export const charm = defineCharm({ reconcile, on, actions })`
// in charm.ts, and how a hook picks its handler (`dispatch`) and yields an outcome (`runHook`).
// Pure: the context is handed in; no I/O here.
import type { ConfigValues } from '../model/types.js';
import { isEndpointName } from '../model/names.js';
import { createHookContext } from './context.js';
import type {
  HookContext,
  HookContextInput,
  HookOutcome,
  HookRun,
  LogEntry,
} from './context-types.js';
import { CharmDefinitionError, MissingActionHandlerError } from './hook-errors.js';
import type { LifecycleHookKind, RelationHookKind } from './hooks.js';
import type { Charm } from './types.js';
import { own } from '../model/own.js';

/**
 * A hook or action handler. A specific handler runs *instead of* reconcile; `reconcile` is
 * passed so a handler that also wants the usual convergence (e.g. `-departed`: forget the
 * member, then reconcile) calls it explicitly — one rule, no hidden ordering.
 */
export type Handler<C extends ConfigValues = ConfigValues> = (
  ctx: HookContext<C>,
  reconcile: () => Promise<void>,
) => void | Promise<void>;

export interface CharmDefinition<C extends ConfigValues = ConfigValues> {
  /** Idempotent convergence, run for every hook without a specific handler. */
  reconcile?: (ctx: HookContext<C>) => void | Promise<void>;
  /**
   * Keys: an exact hook name (`install`, `stop`, `db-relation-joined`) or `*-relation-<kind>`
   * for that relation hook on any endpoint (`*-relation-departed`). Exact beats `*`.
   */
  on?: Record<string, Handler<C>>;
  /** Keyed by action name as in actions.yaml. */
  actions?: Record<string, Handler<C>>;
  /**
   * Work worth starting before any hook needs it (easyrsa: spare RSA keys). The controller calls
   * it when it loads the charm for a deploy, while the machines are still being made, so a
   * charm's module does nothing when imported. Called again on later deploys: it must be
   * idempotent, return at once (start work in the background) and never throw; a hook that
   * needs the work must not rely on it having run.
   */
  warm?: () => void;
}

/** A defined charm: what charm.ts exports as `charm`. Config typing is erased here so the
 * runtime can hold any charm; the handlers saw their typed config when written. */
export interface CharmModule {
  readonly kind: 'rune-charm';
  readonly reconcile?: Handler;
  readonly on: Readonly<Record<string, Handler>>;
  readonly actions: Readonly<Record<string, Handler>>;
  readonly warm?: () => void;
}

const LIFECYCLE: readonly LifecycleHookKind[] = [
  'install',
  'leader-elected',
  'leader-settings-changed',
  'config-changed',
  'start',
  'upgrade-charm',
  'update-status',
  'stop',
  'remove',
];
const RELATION_KINDS: readonly RelationHookKind[] = [
  'relation-created',
  'relation-joined',
  'relation-changed',
  'relation-departed',
  'relation-broken',
];
const RELATION_KEY = /^(.+)-(relation-(?:created|joined|changed|departed|broken))$/;

export type HandlerKey =
  | { kind: 'lifecycle'; hook: LifecycleHookKind }
  /** endpoint `*`: any endpoint. */
  | { kind: 'relation'; endpoint: string; hook: RelationHookKind };

/** What an `on` key means; undefined when it can match no hook. */
export function parseHandlerKey(key: string): HandlerKey | undefined {
  if ((LIFECYCLE as readonly string[]).includes(key)) {
    return { kind: 'lifecycle', hook: key as LifecycleHookKind };
  }
  const m = RELATION_KEY.exec(key);
  const endpoint = m?.[1];
  const hook = m?.[2] as RelationHookKind | undefined;
  if (endpoint === undefined || hook === undefined) return undefined;
  if (endpoint !== '*' && !isEndpointName(endpoint)) return undefined;
  return { kind: 'relation', endpoint, hook };
}

export function defineCharm<C extends ConfigValues = ConfigValues>(
  definition: CharmDefinition<C>,
): CharmModule {
  const problems: string[] = [];
  for (const key of Object.keys(definition.on ?? {})) {
    if (!parseHandlerKey(key)) {
      problems.push(
        `on["${key}"] matches no hook; use a hook name (${LIFECYCLE.join(', ')}), ` +
          `"<endpoint>-<relation kind>" or "*-<relation kind>" (${RELATION_KINDS.join(', ')})`,
      );
    }
  }
  const warm: unknown = definition.warm;
  if (warm !== undefined && typeof warm !== 'function') {
    problems.push(`warm must be a function that starts work in the background, got ${typeof warm}`);
  }
  if (problems.length > 0) throw new CharmDefinitionError(problems);
  const reconcile = definition.reconcile as Handler | undefined;
  return Object.freeze({
    kind: 'rune-charm',
    ...(reconcile ? { reconcile } : {}),
    ...(definition.warm ? { warm: definition.warm } : {}),
    on: Object.freeze({ ...(definition.on as Record<string, Handler> | undefined) }),
    actions: Object.freeze({ ...(definition.actions as Record<string, Handler> | undefined) }),
  });
}

/**
 * Problems of a charm module against its charm's files: `on` keys for endpoints metadata.yaml
 * lacks, action handlers for actions actions.yaml lacks, and declared actions with no handler.
 */
export function checkCharmModule(module: CharmModule, charm: Charm): string[] {
  const endpoints = charm.meta.endpoints.map((e) => e.name);
  const problems: string[] = [];
  for (const key of Object.keys(module.on)) {
    const parsed = parseHandlerKey(key);
    if (
      parsed?.kind === 'relation' &&
      parsed.endpoint !== '*' &&
      !endpoints.includes(parsed.endpoint)
    ) {
      problems.push(
        `on["${key}"]: charm ${charm.meta.name} has no endpoint "${parsed.endpoint}" ` +
          `(endpoints: ${endpoints.join(', ') || 'none'})`,
      );
    }
  }
  for (const name of Object.keys(module.actions)) {
    if (!own(charm.actions, name)) {
      problems.push(
        `actions["${name}"]: actions.yaml of ${charm.meta.name} declares no such action`,
      );
    }
  }
  for (const name of Object.keys(charm.actions)) {
    if (!own(module.actions, name))
      problems.push(`action "${name}" is declared in actions.yaml but has no handler`);
  }
  return problems;
}

/** The handler a hook runs: exact name, else `*-relation-<kind>`, else reconcile, else none. */
export function selectHandler(module: CharmModule, ctx: HookContext): Handler | undefined {
  const hook = ctx.hook;
  if (hook.kind === 'action') {
    const handler = own(module.actions, hook.action);
    if (!handler)
      throw new MissingActionHandlerError(hook.action, Object.keys(module.actions).sort());
    return handler;
  }
  const exact = module.on[ctx.hookName];
  if (exact) return exact;
  if (hook.kind.startsWith('relation-')) {
    const any = module.on[`*-${hook.kind}`];
    if (any) return any;
  }
  return module.reconcile;
}

/** Runs the one handler the hook selects. Throws what the handler throws. */
export async function dispatch<C extends ConfigValues>(
  module: CharmModule,
  ctx: HookContext<C>,
): Promise<void> {
  const context = ctx as unknown as HookContext;
  const handler = selectHandler(module, context);
  if (!handler) return;
  const reconcile = async (): Promise<void> => {
    if (module.reconcile) await module.reconcile(context, reconcile);
  };
  await handler(context, reconcile);
}

/** A deployed application's charm as its unit agents run it: its files and its code. */
export interface LoadedCharm {
  charm: Charm;
  module: CharmModule;
}

export type HookResult =
  | { ok: true; outcome: HookOutcome }
  /** The hook failed: every buffered write is discarded; logs are kept for debug-log. */
  | { ok: false; error: unknown; logs: LogEntry[] };

/** What the unit agent calls: build the context, dispatch, and collect or discard the outcome. */
export async function runHook(module: CharmModule, input: HookContextInput): Promise<HookResult> {
  let run: HookRun | undefined;
  try {
    run = createHookContext(input);
    await dispatch(module, run.ctx);
    return { ok: true, outcome: run.finish() };
  } catch (error) {
    run?.discard();
    return { ok: false, error, logs: run?.logs() ?? [] };
  }
}
