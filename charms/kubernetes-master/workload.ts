// kubernetes-master's workload: where its files live and the flags of each control-plane
// daemon, as pure functions of the facts the charm gathered. Knows nothing about hooks.
// Paths follow Charmed Kubernetes 1.21 (/root/cdk), where strictly confined snaps can read them.
import type { Flags } from '../lib/flags.js';
import { type Ipv4Cidr, hostAddress } from '../lib/cidr.js';

export const API_PORT = 6443;

export const PATHS = {
  ca: '/root/cdk/ca.crt',
  serverCert: '/root/cdk/server.crt',
  serverKey: '/root/cdk/server.key',
  clientCert: '/root/cdk/client.crt',
  clientKey: '/root/cdk/client.key',
  serviceAccountKey: '/root/cdk/serviceaccount.key',
  tokens: '/root/cdk/known_tokens.csv',
  etcdCa: '/root/cdk/etcd/client-ca.pem',
  etcdCert: '/root/cdk/etcd/client-cert.pem',
  etcdKey: '/root/cdk/etcd/client-key.pem',
  controllerManagerKubeconfig: '/root/cdk/kubecontrollermanagerconfig',
  schedulerKubeconfig: '/root/cdk/kubeschedulerconfig',
  proxyKubeconfig: '/root/cdk/kubeproxyconfig',
  /** The administrator's: the one the CNI subordinate is told about. */
  adminKubeconfig: '/root/cdk/kubeconfig',
} as const;

/** Service names on the machine, which are also the binaries they run. */
export const SERVICES = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-proxy',
] as const;
export type MasterService = (typeof SERVICES)[number];

export interface MasterFacts {
  address: string;
  hostname: string;
  serviceCidr: string;
  /** The pod network, from the CNI subordinate. */
  clusterCidr: string;
  /** etcd's connection string. */
  etcdServers: string;
  authorizationMode: string;
  allowPrivileged: boolean;
  /** The authority handed out a client certificate, used towards kubelets. */
  kubeletClientCert: boolean;
}

/** `auto` admits privileged containers only for GPU workers, which Rune's workers never
 * report; so only an explicit `true` allows them. */
export function allowPrivileged(setting: string): boolean {
  return setting.trim().toLowerCase() === 'true';
}

export function apiserverFlags(f: MasterFacts): Flags {
  const flags: Flags = {
    'advertise-address': f.address,
    'allow-privileged': String(f.allowPrivileged),
    'authorization-mode': f.authorizationMode,
    'bind-address': '0.0.0.0',
    'client-ca-file': PATHS.ca,
    'enable-admission-plugins': 'NodeRestriction',
    'etcd-cafile': PATHS.etcdCa,
    'etcd-certfile': PATHS.etcdCert,
    'etcd-keyfile': PATHS.etcdKey,
    'etcd-servers': f.etcdServers,
    'kubelet-certificate-authority': PATHS.ca,
    'kubelet-preferred-address-types': 'InternalIP,Hostname,InternalDNS,ExternalDNS,ExternalIP',
    logtostderr: 'true',
    'secure-port': String(API_PORT),
    'service-account-issuer': 'https://kubernetes.default.svc',
    'service-account-key-file': PATHS.serviceAccountKey,
    'service-account-signing-key-file': PATHS.serviceAccountKey,
    'service-cluster-ip-range': f.serviceCidr,
    'storage-backend': 'etcd3',
    'tls-cert-file': PATHS.serverCert,
    'tls-private-key-file': PATHS.serverKey,
    'token-auth-file': PATHS.tokens,
    v: '2',
  };
  if (f.kubeletClientCert) {
    flags['kubelet-client-certificate'] = PATHS.clientCert;
    flags['kubelet-client-key'] = PATHS.clientKey;
  }
  return flags;
}

export function controllerManagerFlags(f: MasterFacts): Flags {
  return {
    'bind-address': '127.0.0.1',
    'cluster-cidr': f.clusterCidr,
    kubeconfig: PATHS.controllerManagerKubeconfig,
    'leader-elect': 'true',
    logtostderr: 'true',
    'root-ca-file': PATHS.ca,
    'service-account-private-key-file': PATHS.serviceAccountKey,
    'service-cluster-ip-range': f.serviceCidr,
    'use-service-account-credentials': 'true',
    v: '2',
  };
}

export function schedulerFlags(): Flags {
  return {
    'bind-address': '127.0.0.1',
    kubeconfig: PATHS.schedulerKubeconfig,
    'leader-elect': 'true',
    logtostderr: 'true',
    v: '2',
  };
}

/** The first service IP (the `kubernetes` service's) and DNS's, as Charmed Kubernetes chose. */
export function serviceIps(cidr: Ipv4Cidr): { api: string; dns: string } {
  return { api: hostAddress(cidr, 1), dns: hostAddress(cidr, 10) };
}

/** Every name the API server is reached by, for its certificate. */
export function apiServerSans(input: {
  serviceCidr: Ipv4Cidr;
  dnsDomain: string;
  hostname: string;
  address: string;
  extra: string;
}): string[] {
  const sans = [
    serviceIps(input.serviceCidr).api,
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${input.dnsDomain}`,
    input.hostname,
    input.address,
    ...input.extra.split(/[\s,]+/),
  ];
  return [...new Set(sans.filter((s) => s !== ''))];
}
