// Puts the control plane on the machine: certificates, keys, the token file and kubeconfigs,
// then the four daemons, each restarted only when something it reads changed.
import type { HookContext } from 'rune/charm';
import type { EtcdConnection } from 'rune/interfaces';
import { type Flags, kubeProxyFlags, renderFlags } from '../lib/flags.js';
import { renderKubeconfig } from '../lib/kubeconfig.js';
import type { Certificates } from '../lib/relations.js';
import { runService } from '../lib/services.js';
import { type Secrets, tokenAuthFile } from './secrets.js';
import {
  API_PORT,
  type MasterFacts,
  type MasterService,
  PATHS,
  apiserverFlags,
  controllerManagerFlags,
  schedulerFlags,
} from './workload.js';

export interface ControlPlane {
  facts: MasterFacts;
  certs: Certificates;
  etcd: EtcdConnection;
  secrets: Secrets;
  /** Binary paths by name. */
  binaries: Record<string, string>;
  /** Binaries replaced in this hook: their daemons restart. */
  changed: readonly string[];
  /** The operator's `*-extra-args`, by service. */
  extra: Partial<Record<MasterService, Flags>>;
}

const PUBLIC = { mode: 0o644 };
const PRIVATE = { mode: 0o600 };

/** Files each daemon reads, path → contents; written before any daemon (re)starts. */
function files(cp: ControlPlane): Record<string, { data: string; mode: number }> {
  const server = `https://${cp.facts.address}:${API_PORT}`;
  const kubeconfig = (user: string, token: string) =>
    renderKubeconfig({ server, user, token, caFile: PATHS.ca });
  const out: Record<string, { data: string; mode: number }> = {
    [PATHS.ca]: { data: cp.certs.ca, ...PUBLIC },
    [PATHS.serverCert]: { data: cp.certs.server.cert, ...PUBLIC },
    [PATHS.serverKey]: { data: cp.certs.server.key, ...PRIVATE },
    [PATHS.etcdCa]: { data: cp.etcd.clientCa, ...PUBLIC },
    [PATHS.etcdCert]: { data: cp.etcd.clientCert, ...PUBLIC },
    [PATHS.etcdKey]: { data: cp.etcd.clientKey, ...PRIVATE },
    [PATHS.serviceAccountKey]: { data: cp.secrets.serviceAccountKey, ...PRIVATE },
    [PATHS.tokens]: { data: tokenAuthFile(cp.secrets), ...PRIVATE },
    [PATHS.controllerManagerKubeconfig]: {
      data: kubeconfig('kube-controller-manager', cp.secrets.controllerManagerToken),
      ...PRIVATE,
    },
    [PATHS.schedulerKubeconfig]: {
      data: kubeconfig('kube-scheduler', cp.secrets.schedulerToken),
      ...PRIVATE,
    },
    [PATHS.proxyKubeconfig]: { data: kubeconfig('kube-proxy', cp.secrets.proxyToken), ...PRIVATE },
    [PATHS.adminKubeconfig]: { data: kubeconfig('admin', cp.secrets.adminToken), ...PRIVATE },
  };
  if (cp.certs.client) {
    out[PATHS.clientCert] = { data: cp.certs.client.cert, ...PUBLIC };
    out[PATHS.clientKey] = { data: cp.certs.client.key, ...PRIVATE };
  }
  return out;
}

/** What each daemon reads, so a changed file restarts exactly the daemons that read it. */
const READS: Record<MasterService, readonly string[]> = {
  'kube-apiserver': [
    PATHS.ca,
    PATHS.serverCert,
    PATHS.serverKey,
    PATHS.clientCert,
    PATHS.clientKey,
    PATHS.etcdCa,
    PATHS.etcdCert,
    PATHS.etcdKey,
    PATHS.serviceAccountKey,
    PATHS.tokens,
  ],
  'kube-controller-manager': [PATHS.ca, PATHS.serviceAccountKey, PATHS.controllerManagerKubeconfig],
  'kube-scheduler': [PATHS.ca, PATHS.schedulerKubeconfig],
  'kube-proxy': [PATHS.ca, PATHS.proxyKubeconfig],
};

/** Each daemon's argv: its binary, then its flags with the operator's extra ones merged in. */
export function commands(cp: ControlPlane): Record<MasterService, string[]> {
  const bin = (name: MasterService) => cp.binaries[name] ?? `/usr/local/bin/${name}`;
  const argv = (name: MasterService, flags: Flags) => [
    bin(name),
    ...renderFlags(flags, cp.extra[name]),
  ];
  return {
    'kube-apiserver': argv('kube-apiserver', apiserverFlags(cp.facts)),
    'kube-controller-manager': argv('kube-controller-manager', controllerManagerFlags(cp.facts)),
    'kube-scheduler': argv('kube-scheduler', schedulerFlags()),
    'kube-proxy': argv('kube-proxy', kubeProxyFlags(cp.facts, PATHS.proxyKubeconfig)),
  };
}

/** Writes the files, runs the daemons; resolves to each daemon's state on the machine. */
export async function runControlPlane(
  ctx: HookContext,
  cp: ControlPlane,
): Promise<Record<MasterService, string>> {
  const wanted = files(cp);
  for (const [path, file] of Object.entries(wanted)) {
    await ctx.machine.writeFile(path, file.data, { mode: file.mode });
  }
  const argv = commands(cp);
  const states = {} as Record<MasterService, string>;
  for (const name of Object.keys(argv) as MasterService[]) {
    const inputs = READS[name].map((path) => wanted[path]?.data ?? '');
    const service = { name, command: argv[name], inputs };
    states[name] = await runService(ctx, service, cp.changed.includes(name));
  }
  return states;
}
