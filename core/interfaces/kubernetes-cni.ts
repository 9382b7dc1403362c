// The kubernetes-cni interface (container scope): the principal (master or worker, provider)
// says where its kubeconfig is; the CNI subordinate (flannel, requirer) reports its CIDR. Pure.
import { changedKeys, readString } from './databag.js';
import { absolutePath, appBag, ipv4Cidr, oneOf, unitBag } from './schema.js';
import type { Databag, InterfaceSpec } from './types.js';

const principalKeys = {
  // Python's str(bool): the 1.21 charms wrote and compared exactly "True" / "False".
  is_master: oneOf(['True', 'False'], '"True" or "False"'),
  kubeconfig_path: absolutePath(),
};

const subordinateKeys = {
  cidr: ipv4Cidr(),
  'cni-conf-file': {
    type: 'string',
    pattern: '^[^/\\r\\n]+$',
    expect: 'a file name like 10-flannel.conflist',
  },
};

// Unknown keys are allowed: later principals add `kubeconfig-hash` and other CNIs (calico,
// cilium) write keys of their own; this schema types only what flannel and the masters use.
export const kubernetesCniSpec: InterfaceSpec = {
  name: 'kubernetes-cni',
  roles: {
    provider: {
      unit: unitBag({ properties: principalKeys, additionalProperties: true }),
      app: appBag({ properties: principalKeys, additionalProperties: true }),
    },
    requirer: {
      unit: unitBag({ properties: subordinateKeys, additionalProperties: true }),
      app: appBag({ properties: subordinateKeys, additionalProperties: true }),
    },
  },
};

export interface CniPrincipal {
  isMaster: boolean;
  kubeconfigPath: string;
}

export interface CniConfig {
  cidr: string;
  cniConfFile: string;
}

export const kubernetesCni = {
  spec: kubernetesCniSpec,
  /** The principal's side (kubernetes-master, kubernetes-worker: `provides: cni`). */
  provider: {
    publish(bag: Readonly<Databag>, principal: CniPrincipal): Databag {
      return changedKeys(bag, {
        is_master: principal.isMaster ? 'True' : 'False',
        kubeconfig_path: principal.kubeconfigPath,
      });
    },
    /** The subordinate's network, once it has one. */
    config(remote: Readonly<Databag>): CniConfig | undefined {
      const cidr = readString(remote, 'cidr');
      const cniConfFile = readString(remote, 'cni-conf-file');
      return cidr === undefined || cniConfFile === undefined ? undefined : { cidr, cniConfFile };
    },
  },
  /** The subordinate's side (flannel: `requires: cni`). */
  requirer: {
    publish(bag: Readonly<Databag>, config: CniConfig): Databag {
      return changedKeys(bag, { cidr: config.cidr, 'cni-conf-file': config.cniConfFile });
    },
    principal(remote: Readonly<Databag>): CniPrincipal | undefined {
      const isMaster = readString(remote, 'is_master');
      const kubeconfigPath = readString(remote, 'kubeconfig_path');
      if (kubeconfigPath === undefined || (isMaster !== 'True' && isMaster !== 'False')) {
        return undefined;
      }
      return { isMaster: isMaster === 'True', kubeconfigPath };
    },
  },
} as const;
