// Puts the control plane on the machine: certificates, keys, the token file and kubeconfigs,
// then the four daemons, each restarted only when something it reads changed.
import { createHash } from 'node:crypto';
import type { HookContext } from 'rune/charm';
import type { EtcdConnection } from 'rune/interfaces';
import { type Flags, kubeProxyFlags, renderFlags } from '../lib/flags.js';
import { renderKubeconfig } from '../lib/kubeconfig.js';
import type { Certificates } from '../lib/relations.js';
import { type WorkloadService, fingerprint, restartDue, runService } from '../lib/services.js';
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

type Files = Record<string, { data: string; mode: number }>;

/**
 * The certificate files alone, from what the authority and etcd sent (either may be missing):
 * what the daemons would read of a CA rotation. During one, `certs.ca` is easyrsa's bundle of
 * the old and the new CA, so every daemon that verifies with it trusts both.
 */
export function tlsFiles(certs?: Certificates, etcd?: EtcdConnection): Files {
  const out: Files = {};
  if (certs) {
    out[PATHS.ca] = { data: certs.ca, ...PUBLIC };
    out[PATHS.serverCert] = { data: certs.server.cert, ...PUBLIC };
    out[PATHS.serverKey] = { data: certs.server.key, ...PRIVATE };
    if (certs.client) {
      out[PATHS.clientCert] = { data: certs.client.cert, ...PUBLIC };
      out[PATHS.clientKey] = { data: certs.client.key, ...PRIVATE };
    }
  }
  if (etcd) {
    out[PATHS.etcdCa] = { data: etcd.clientCa, ...PUBLIC };
    out[PATHS.etcdCert] = { data: etcd.clientCert, ...PUBLIC };
    out[PATHS.etcdKey] = { data: etcd.clientKey, ...PRIVATE };
  }
  return out;
}

/** Writes `files` in one round trip, each only where the machine's copy differs. */
export async function writeTlsFiles(ctx: HookContext, files: Files): Promise<void> {
  const list = Object.entries(files).map(([path, f]) => ({ path, ...f, onlyIfChanged: true }));
  if (list.length > 0) await ctx.machine.writeFiles(list);
}

/** Files each daemon reads, path → contents; written before any daemon (re)starts. */
function files(cp: ControlPlane): Files {
  const server = `https://${cp.facts.address}:${API_PORT}`;
  const kubeconfig = (user: string, token: string) =>
    renderKubeconfig({ server, user, token, caFile: PATHS.ca });
  return {
    ...tlsFiles(cp.certs, cp.etcd),
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

function services(cp: ControlPlane, wanted: Files): WorkloadService[] {
  const argv = commands(cp);
  return (Object.keys(argv) as MasterService[]).map((name) => ({
    name,
    command: argv[name],
    inputs: READS[name].map((path) => wanted[path]?.data ?? ''),
  }));
}

/**
 * When running daemons would restart for this control plane (new certificates, tokens, flags or
 * binaries): a short name for what they would restart with, to ask a restart turn for
 * (lib/restart-turns.ts); else undefined.
 */
export function restartRequest(ctx: HookContext, cp: ControlPlane): string | undefined {
  const due = services(cp, files(cp)).filter((service) =>
    restartDue(ctx, service, cp.changed.includes(service.name)),
  );
  if (due.length === 0) return undefined;
  const hash = createHash('sha256');
  for (const service of due) hash.update(`${service.name} ${fingerprint(service)}\0`);
  return hash.digest('hex').slice(0, 16);
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
  const states = {} as Record<MasterService, string>;
  for (const service of services(cp, wanted)) {
    const name = service.name as MasterService;
    states[name] = await runService(ctx, service, cp.changed.includes(name));
  }
  return states;
}
