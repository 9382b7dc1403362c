// Relation interfaces: the registry of databag schemas, validation, and the provider/requirer
// helpers charms use (DESIGN §7). The public surface of core/interfaces; charms import from here.
export * from './types.js';
export * from './errors.js';
export { applyWrites, changedKeys, readJson, readString } from './databag.js';
export {
  assertDatabag,
  type DatabagCheck,
  interfaceSpec,
  knownInterfaces,
  relationLabel,
  schemaValidateWrite,
  validateDatabag,
} from './registry.js';
export * from './ca-rotation.js';
export * from './tls-certificates.js';
export * from './etcd.js';
export * from './http.js';
export * from './kube-control.js';
export * from './kubernetes-cni.js';
export { kubeMastersSpec } from './kube-masters.js';
