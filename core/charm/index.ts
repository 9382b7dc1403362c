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
