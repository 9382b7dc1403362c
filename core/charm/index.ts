// Charms: metadata, config and actions parsed from Juju-format files, loading, and references.
// The public surface of core/charm; other rooms import from here.
export * from './types.js';
export { parseMetadata } from './metadata.js';
export {
  compileConfigSchema,
  type ConfigMode,
  type ConfigProblem,
  defaultConfig,
  parseConfig,
  validateConfigValues,
} from './config.js';
export { parseActions } from './actions.js';
export * from './errors.js';
export { loadCharm } from './loader.js';
export {
  CharmRepository,
  type CharmResolution,
  packageRoot,
  parseCharmRef,
  type ParsedCharmRef,
} from './repository.js';
export * from './hooks.js';
// The charm SDK: what a hook receives, how a charm is defined and dispatched, and the harness.
export * from './bags.js';
export * from './context-types.js';
export * from './context.js';
export * from './checks.js';
export * from './hook-errors.js';
export * from './shell.js';
export * from './sdk.js';
export * from './fake-machine.js';
export * from './harness.js';
// Loading a charm's code (charm.ts) with esbuild, sharing this SDK's module instances.
export * from './module-errors.js';
export {
  bundleCharmCode,
  CHARM_CODE_FILES,
  type CharmBundle,
  findCharmCode,
  loadCharmModule,
  type LoadCharmModuleOptions,
} from './module-loader.js';
// Charms may import only the SDK: their own error classes extend Rune's base through it.
export { RuneError } from '../model/errors.js';
