// What a charm imports as `rune/charm` (package.json `exports`): defining a charm and the types
// of what a hook sees. Nothing of the controller, the loader or the harness (`rune/testing`).
export type * from './context-types.js';
export type { Bag, BagWrites, ReadBag, WriteBag } from './bags.js';
export type * from './hooks.js';
export { hookName, isRelationHook } from './hooks.js';
export {
  type CharmDefinition,
  type CharmModule,
  type Handler,
  type HandlerKey,
  defineCharm,
} from './sdk.js';
export type * from './types.js';
export type { ConfigValue, ConfigValues } from '../model/types.js';
// Shell command lines built from values, never by pasting strings into quotes.
export { commandLine, shellQuote } from './shell.js';
// What a hook may catch (and a harness test may expect) when it breaks an SDK rule.
export {
  AppBagWriteError,
  HealthCheckSpecError,
  HookFinishedError,
  LeaderSettingsWriteError,
  RelationDataError,
  RemoteUnitNotInScopeError,
  ShellWordError,
  StateValueError,
  UnknownEndpointError,
  UnknownResourceError,
} from './hook-errors.js';
// A charm's own error classes extend Rune's base, so their messages reach status and debug-log.
export { RuneError } from '../model/errors.js';
