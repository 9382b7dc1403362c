// The bundle room's public surface: parse (with overlays), validate, and the resolved shape.
export { parseBundle, type BundleSource, type ParsedBundle } from './parse.js';
export {
  charmKey,
  charmRefs,
  resolveCharms,
  validateBundle,
  type CharmRef,
  type CharmResolution,
  type ValidateOptions,
  type ValidationResult,
} from './validate.js';
export * from './types.js';
