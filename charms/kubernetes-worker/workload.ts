// kubernetes-worker's workload: its files, the kubelet's configuration and the daemons' flags,
// as pure functions of what the charm gathered. Knows nothing about hooks (STYLE.md).
import type { Flags } from '../lib/flags.js';
import { type YamlValue, toYaml } from '../lib/yaml.js';

export const PATHS = {
  ca: '/root/cdk/ca.crt',
  serverCert: '/root/cdk/server.crt',
  serverKey: '/root/cdk/server.key',
  /** The kubelet's; also what the CNI subordinate is told. */
  kubeletKubeconfig: '/root/cdk/kubeconfig',
  proxyKubeconfig: '/root/cdk/kubeproxyconfig',
  /** The administrator's, for kubectl in the pause and resume actions. */
  adminKubeconfig: '/root/.kube/config',
  kubeletConfig: '/root/cdk/kubelet/config.yaml',
  containerdConfig: '/etc/containerd/config.toml',
} as const;

export const SERVICES = ['containerd', 'kubelet', 'kube-proxy'] as const;
export type WorkerService = (typeof SERVICES)[number];

/** Where Debian's containerd package puts it. */
export const CONTAINERD_BINARY = '/usr/bin/containerd';
export const CONTAINERD_ADDRESS = '/run/containerd/containerd.sock';
export const CONTAINERD_SOCKET = `unix://${CONTAINERD_ADDRESS}`;

/**
 * Asks the running containerd for its version over its socket: `ctr version` prints the client's
 * and, only when the daemon answers, a `Server:` part. A process that runs is not yet a runtime
 * kubelet can use; this is what says so. The connect timeout is ctr waiting for a daemon that
 * has just been started to listen, and the bound on how long a daemon that never will costs.
 */
export const CONTAINERD_VERSION = `ctr --address ${CONTAINERD_ADDRESS} --connect-timeout 10s version`;

/** Why containerd is no runtime yet, for the unit's status. */
export function containerdProblem(state: string): string {
  return state === 'running'
    ? `containerd runs but does not answer on ${CONTAINERD_ADDRESS}`
    : `containerd does not run (service ${state})`;
}

/** The server's version from `ctr version`, or undefined when no server answered. */
export function containerdServerVersion(output: string): string | undefined {
  const server = output.split(/^Server:\s*$/m)[1];
  return server === undefined ? undefined : /^\s*Version:\s*(\S+)/m.exec(server)?.[1];
}

// The Debian package starts its own containerd under systemd; the charm supervises containerd
// itself (with its config) on every machine, so the packaged unit must not race it for the socket.
export const CONTAINERD_TAKEOVER =
  'if [ -d /run/systemd/system ]; then systemctl disable --now containerd.service; fi; true';

export interface WorkerFacts {
  address: string;
  hostname: string;
  app: string;
  /** The pod network, from the CNI subordinate. */
  clusterCidr: string;
  /** `key=value` node labels from config. */
  labels: readonly string[];
}

export function kubeletFlags(f: WorkerFacts): Flags {
  return {
    'cni-bin-dir': '/opt/cni/bin',
    'cni-conf-dir': '/etc/cni/net.d',
    config: PATHS.kubeletConfig,
    'container-runtime': 'remote',
    'container-runtime-endpoint': CONTAINERD_SOCKET,
    'hostname-override': f.hostname,
    kubeconfig: PATHS.kubeletKubeconfig,
    logtostderr: 'true',
    'network-plugin': 'cni',
    'node-ip': f.address,
    'node-labels': [`juju-application=${f.app}`, ...f.labels].join(','),
    v: '0',
  };
}

type YamlMap = { [key: string]: YamlValue };

function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The operator's map wins key by key, nested maps merged (as Charmed Kubernetes merged it). */
export function deepMerge(base: YamlMap, over: YamlMap): YamlMap {
  const out: YamlMap = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const mine = out[key];
    out[key] = isMap(mine) && isMap(value) ? deepMerge(mine, value) : value;
  }
  return out;
}

export function kubeletConfig(dns: { sdnIp: string; domain: string }, extra: YamlMap): string {
  const base: YamlMap = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: '0.0.0.0',
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: PATHS.ca },
    },
    authorization: { mode: 'Webhook' },
    clusterDNS: [dns.sdnIp],
    clusterDomain: dns.domain,
    failSwapOn: false,
    port: 10250,
    tlsCertFile: PATHS.serverCert,
    tlsPrivateKeyFile: PATHS.serverKey,
  };
  return toYaml(deepMerge(base, extra));
}

/**
 * config kubelet-extra-config: a map given as JSON, or as flat `key: value` lines. Charms cannot
 * import a YAML parser (only the SDK, which has none), so nested block YAML is refused with a
 * message saying how to write it instead.
 */
export function parseExtraConfig(text: string): YamlMap | string {
  const trimmed = text.trim();
  const problem = `Invalid kubelet-extra-config: expected a JSON map like {"maxPods": 110}`;
  if (trimmed === '') return {};
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    return isMap(parsed) ? parsed : problem;
  } catch {
    const out: YamlMap = {};
    for (const line of trimmed.split('\n').filter((l) => l.trim() !== '')) {
      const m = /^([A-Za-z][A-Za-z0-9]*):\s*(\S.*?)\s*$/.exec(line);
      if (!m) return problem;
      const [, key = '', raw = ''] = m;
      out[key] = /^-?[0-9]+$/.test(raw)
        ? Number(raw)
        : /^(true|false)$/.test(raw)
          ? raw === 'true'
          : raw;
    }
    return out;
  }
}

/** Enough for the CRI plugin to serve kubelet with the CNI config flannel renders. */
export function containerdConfig(): string {
  return [
    'version = 2',
    '',
    '[plugins."io.containerd.grpc.v1.cri"]',
    '  sandbox_image = "k8s.gcr.io/pause:3.4.1"',
    '',
    '[plugins."io.containerd.grpc.v1.cri".cni]',
    '  bin_dir = "/opt/cni/bin"',
    '  conf_dir = "/etc/cni/net.d"',
    '',
  ].join('\n');
}

/** kubectl's arguments for the pause action (Charmed Kubernetes' drain). */
export function drainArgs(node: string, deleteLocalData: boolean, force: boolean): string[] {
  const args = ['drain', node, '--ignore-daemonsets'];
  if (deleteLocalData) args.push('--delete-emptydir-data');
  if (force) args.push('--force');
  return args;
}
