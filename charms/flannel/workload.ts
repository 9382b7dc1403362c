// flannel's workload: the files, the etcd write and the flanneld command line it needs, as pure
// functions of config and the etcd relation's data. Knows nothing about hooks (STYLE.md).
import type { EtcdConnection } from 'rune/interfaces';
import { commandLine } from 'rune/charm';

export const SERVICE = 'flannel';
export const CNI_CONF_FILE = '10-flannel.conflist';
export const CNI_CONF_PATH = `/etc/cni/net.d/${CNI_CONF_FILE}`;
export const SUBNET_ENV = '/run/flannel/subnet.env';
/** flanneld's default prefix; the network config lives under it. */
export const ETCD_PREFIX = '/coreos.com/network';
export const NETWORK_KEY = `${ETCD_PREFIX}/config`;

/** The etcd client credentials on the machine, as Charmed Kubernetes' flannel kept them. */
export const CERT_FILES = {
  ca: '/etc/ssl/flannel/client-ca.pem',
  cert: '/etc/ssl/flannel/client-cert.pem',
  key: '/etc/ssl/flannel/client-key.pem',
} as const;

/** Prints subnet.env, or nothing while flanneld has not leased a subnet yet. */
export const READ_SUBNET_ENV = `if [ -f ${SUBNET_ENV} ]; then cat ${SUBNET_ENV}; fi`;

export interface NetworkSettings {
  cidr: string;
  /** 0: flannel's default. */
  vni: number;
  port: number;
}

/** The value flanneld reads at `/coreos.com/network/config`. */
export function networkConfig(settings: NetworkSettings): string {
  const backend: Record<string, string | number> = { Type: 'vxlan' };
  if (settings.vni > 0) backend['VNI'] = settings.vni;
  if (settings.port > 0) backend['Port'] = settings.port;
  return JSON.stringify({ Network: settings.cidr, Backend: backend });
}

/** etcd-client's etcdctl speaks v2 unless told otherwise; the network config is a v3 key. */
export function etcdPutCommand(etcd: EtcdConnection, value: string): string {
  const argv = [
    'etcdctl',
    `--endpoints=${etcd.connectionString}`,
    `--cacert=${CERT_FILES.ca}`,
    `--cert=${CERT_FILES.cert}`,
    `--key=${CERT_FILES.key}`,
    'put',
    NETWORK_KEY,
    value,
  ];
  return `ETCDCTL_API=3 ${commandLine(argv)}`;
}

/** The CNI config the principal's container runtime reads: flannel delegating to the bridge
 * plugin with hairpin mode and the default gateway (as Charmed Kubernetes 1.21), plus portmap
 * for hostPort. */
export function cniConflist(): string {
  const conflist = {
    name: 'flannel',
    cniVersion: '0.3.1',
    plugins: [
      { type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true } },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ],
  };
  return `${JSON.stringify(conflist, null, 2)}\n`;
}

export function flanneldCommand(binary: string, etcd: EtcdConnection, iface: string): string[] {
  return [
    binary,
    `-etcd-endpoints=${etcd.connectionString}`,
    `-etcd-cafile=${CERT_FILES.ca}`,
    `-etcd-certfile=${CERT_FILES.cert}`,
    `-etcd-keyfile=${CERT_FILES.key}`,
    `-etcd-prefix=${ETCD_PREFIX}`,
    `-iface=${iface}`,
    '-ip-masq',
  ];
}

/** FLANNEL_SUBNET from subnet.env (`10.1.23.1/24`), when flanneld has written one. */
export function leasedSubnet(subnetEnv: string): string | undefined {
  const m = /^FLANNEL_SUBNET=(\S+)\s*$/m.exec(subnetEnv);
  return m?.[1];
}
