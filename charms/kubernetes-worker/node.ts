// Puts the node on the machine: containerd as soon as it is installed (it needs nothing from
// relations), then certificates, kubeconfigs from the minted tokens, the kubelet's configuration,
// kubelet and kube-proxy; each restarted only when something it reads changed.
import type { HookContext } from 'rune/charm';
import type { KubeCreds, KubeDns } from 'rune/interfaces';
import { type Flags, kubeProxyFlags, renderFlags } from '../lib/flags.js';
import { renderKubeconfig } from '../lib/kubeconfig.js';
import type { Certificates } from '../lib/relations.js';
import { runService } from '../lib/services.js';
import type { YamlValue } from '../lib/yaml.js';
import {
  CONTAINERD_VERSION,
  PATHS,
  type WorkerFacts,
  type WorkerService,
  containerdConfig,
  containerdServerVersion,
  kubeletConfig,
  kubeletFlags,
} from './workload.js';

export interface NodeSettings {
  extra: Partial<Record<'kubelet' | 'kube-proxy', Flags>>;
  labels: string[];
  extraConfig: { [key: string]: YamlValue };
}

export interface Node {
  facts: WorkerFacts;
  settings: NodeSettings;
  /** The API server, `https://host:port`. */
  server: string;
  creds: KubeCreds;
  dns: KubeDns;
  certs: Certificates;
  binaries: Record<string, string>;
  changed: readonly string[];
}

type Files = Record<string, { data: string; mode: number }>;

/**
 * The certificate files alone: what kubelet and kube-proxy would read of a CA rotation. During
 * one, `certs.ca` is easyrsa's bundle of the old and the new CA, and it is both the kubelet's
 * client CA and every kubeconfig's CA file, so the node trusts both.
 */
export function tlsFiles(certs: Certificates): Files {
  return {
    [PATHS.ca]: { data: certs.ca, mode: 0o644 },
    [PATHS.serverCert]: { data: certs.server.cert, mode: 0o644 },
    [PATHS.serverKey]: { data: certs.server.key, mode: 0o600 },
  };
}

/** Writes the certificate files in one round trip, each only where the machine's copy differs. */
export async function writeTlsFiles(ctx: HookContext, certs: Certificates): Promise<void> {
  const files = Object.entries(tlsFiles(certs));
  await ctx.machine.writeFiles(files.map(([path, f]) => ({ path, ...f, onlyIfChanged: true })));
}

export function nodeFiles(node: Node): Files {
  const kubeconfig = (user: string, token: string) =>
    renderKubeconfig({ server: node.server, user, token, caFile: PATHS.ca });
  return {
    ...tlsFiles(node.certs),
    [PATHS.kubeletKubeconfig]: {
      data: kubeconfig('kubelet', node.creds.kubeletToken),
      mode: 0o600,
    },
    [PATHS.proxyKubeconfig]: { data: kubeconfig('kube-proxy', node.creds.proxyToken), mode: 0o600 },
    [PATHS.adminKubeconfig]: { data: kubeconfig('admin', node.creds.clientToken), mode: 0o600 },
    [PATHS.kubeletConfig]: {
      data: kubeletConfig(node.dns, node.settings.extraConfig),
      mode: 0o644,
    },
  };
}

type NodeService = Exclude<WorkerService, 'containerd'>;

const READS: Record<NodeService, readonly string[]> = {
  kubelet: [
    PATHS.ca,
    PATHS.serverCert,
    PATHS.serverKey,
    PATHS.kubeletKubeconfig,
    PATHS.kubeletConfig,
  ],
  'kube-proxy': [PATHS.ca, PATHS.proxyKubeconfig],
};

export function nodeCommands(node: Node): Record<NodeService, string[]> {
  const bin = (name: string) => node.binaries[name] ?? `/usr/local/bin/${name}`;
  return {
    kubelet: [
      bin('kubelet'),
      ...renderFlags(kubeletFlags(node.facts), node.settings.extra.kubelet),
    ],
    'kube-proxy': [
      bin('kube-proxy'),
      ...renderFlags(
        kubeProxyFlags(node.facts, PATHS.proxyKubeconfig),
        node.settings.extra['kube-proxy'],
      ),
    ],
  };
}

export interface Runtime {
  /** The service's state as the machine reports it. */
  state: string;
  /** containerd's version as its server reported it over the socket, if it answered. */
  server?: string;
}

/**
 * Writes containerd's configuration and runs it (restarted when its binary or configuration
 * changed), then asks the daemon itself whether it serves: kubelet needs its socket, not merely
 * a process.
 */
export async function runContainerd(
  ctx: HookContext,
  binary: string,
  changed: boolean,
): Promise<Runtime> {
  const config = containerdConfig();
  await ctx.machine.writeFile(PATHS.containerdConfig, config, { mode: 0o644 });
  const state = await runService(
    ctx,
    { name: 'containerd', command: [binary, '--config', PATHS.containerdConfig], inputs: [config] },
    changed,
  );
  if (state !== 'running') return { state };
  const version = await ctx.machine.run(CONTAINERD_VERSION);
  const server = containerdServerVersion(version.stdout.toString());
  return server === undefined ? { state } : { state, server };
}

/** Writes the files and runs kubelet and kube-proxy (containerd runs already). */
export async function runNode(ctx: HookContext, node: Node): Promise<Record<NodeService, string>> {
  const files = nodeFiles(node);
  for (const [path, file] of Object.entries(files)) {
    await ctx.machine.writeFile(path, file.data, { mode: file.mode });
  }
  const argv = nodeCommands(node);
  const states = {} as Record<NodeService, string>;
  for (const name of ['kubelet', 'kube-proxy'] as const) {
    const inputs = READS[name].map((path) => files[path]?.data ?? '');
    states[name] = await runService(
      ctx,
      { name, command: argv[name], inputs },
      node.changed.includes(name),
    );
  }
  return states;
}
