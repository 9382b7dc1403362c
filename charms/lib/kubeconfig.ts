// Kubeconfig files as `kubectl config view` reads them: one cluster, one user, one context. Pure.
import { toYaml } from './yaml.js';

export interface KubeconfigInput {
  /** `https://10.0.0.5:6443` */
  server: string;
  user: string;
  token: string;
  /** Either a path to the CA on the machine (component configs) ... */
  caFile?: string;
  /** ... or the CA itself, embedded (a config handed to an operator). */
  caPem?: string;
}

// Charmed Kubernetes' names, so an operator's merged kubeconfigs look as they did there.
export const CLUSTER_NAME = 'juju-cluster';
export const CONTEXT_NAME = 'juju-context';

export function renderKubeconfig(input: KubeconfigInput): string {
  const cluster: Record<string, string> = { server: input.server };
  if (input.caPem !== undefined) {
    cluster['certificate-authority-data'] = Buffer.from(input.caPem).toString('base64');
  } else if (input.caFile !== undefined) {
    cluster['certificate-authority'] = input.caFile;
  }
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ cluster, name: CLUSTER_NAME }],
    contexts: [{ context: { cluster: CLUSTER_NAME, user: input.user }, name: CONTEXT_NAME }],
    'current-context': CONTEXT_NAME,
    preferences: {},
    users: [{ name: input.user, user: { token: input.token } }],
  });
}
