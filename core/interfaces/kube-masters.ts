// The kube-masters peer interface of kubernetes-master: known to the registry so every interface
// the five charms name has a spec, and permissive because its keys are the charm's own. Pure.
import { appBag, unitBag } from './schema.js';
import type { InterfaceSpec } from './types.js';

// Unknown keys are allowed (there are no known ones yet): in 1.21 the masters shared only
// leader data; a Rune master that starts using peer data should type its keys here.
export const kubeMastersSpec: InterfaceSpec = {
  name: 'kube-masters',
  roles: {
    peer: {
      unit: unitBag({ additionalProperties: true }),
      app: appBag({ additionalProperties: true }),
    },
  },
};
