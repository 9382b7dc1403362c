// The argv that starts this unit's etcd member (etcd 3.4 flags), from facts the charm gathered.
// Pure: no files are read and nothing is checked against the machine.
import { httpsUrl } from './cluster.js';
import type { ClusterState } from './cluster.js';
import { ETCD_BIN } from './paths.js';

/**
 * Plain HTTP for local tools that cannot present a client certificate (`bind_with_insecure_http`),
 * as Charmed Kubernetes did. 127.0.0.1 rather than `localhost`, which Go may resolve to ::1 first.
 */
export const INSECURE_CLIENT_URL = 'http://127.0.0.1:4001';

export interface EtcdFlagsInput {
  /** Member name: the unit name with `/` → `-` (paths.ts memberName). */
  name: string;
  dataDir: string;
  /** The unit's address: what other members and clients are told to dial. */
  address: string;
  /** config `port`. */
  clientPort: number;
  /** config `management_port`. */
  peerPort: number;
  /** config `bind_to_all_interfaces`: listen on 0.0.0.0 rather than only on `address`. */
  bindToAll: boolean;
  /** config `bind_with_insecure_http`. */
  insecureHttp: boolean;
  clusterToken: string;
  /** `name=https://addr:peerport,...`, this member included (cluster.ts initialCluster). */
  initialCluster: string;
  initialState: ClusterState;
  /** One server certificate serves clients and peers, so it needs serverAuth and clientAuth. */
  tls: { ca: string; cert: string; key: string };
  /** config `heartbeat_interval` and `election_timeout`, milliseconds. */
  heartbeatIntervalMs: number;
  electionTimeoutMs: number;
  /** config `snapshot_count`. */
  snapshotCount: number;
  /** config `tls_cipher_suites`; empty leaves etcd's defaults. */
  cipherSuites: string;
}

/** argv[1..] for etcd; every flag is one `--flag=value` word, so no value can be read as a flag. */
export function etcdArgs(input: EtcdFlagsInput): string[] {
  const listenHost = input.bindToAll ? '0.0.0.0' : input.address;
  const clientUrls = [httpsUrl(listenHost, input.clientPort)];
  if (input.insecureHttp) clientUrls.push(INSECURE_CLIENT_URL);
  const args = [
    `--name=${input.name}`,
    `--data-dir=${input.dataDir}`,
    `--listen-client-urls=${clientUrls.join(',')}`,
    `--advertise-client-urls=${httpsUrl(input.address, input.clientPort)}`,
    `--listen-peer-urls=${httpsUrl(listenHost, input.peerPort)}`,
    `--initial-advertise-peer-urls=${httpsUrl(input.address, input.peerPort)}`,
    `--initial-cluster=${input.initialCluster}`,
    `--initial-cluster-token=${input.clusterToken}`,
    `--initial-cluster-state=${input.initialState}`,
    `--cert-file=${input.tls.cert}`,
    `--key-file=${input.tls.key}`,
    `--trusted-ca-file=${input.tls.ca}`,
    '--client-cert-auth',
    `--peer-cert-file=${input.tls.cert}`,
    `--peer-key-file=${input.tls.key}`,
    `--peer-trusted-ca-file=${input.tls.ca}`,
    '--peer-client-cert-auth',
    `--heartbeat-interval=${input.heartbeatIntervalMs}`,
    `--election-timeout=${input.electionTimeoutMs}`,
    `--snapshot-count=${input.snapshotCount}`,
    // Otherwise etcd refuses a member add or remove until every member has been connected for
    // 5 s. The charm already adds one member at a time and waits for it to be healthy before
    // the next, which is what that check protects; keeping it made each join wait ~5 s.
    '--strict-reconfig-check=false',
    // Charmed Kubernetes 1.21 kept the v2 API on for flanneld releases that still speak it.
    '--enable-v2=true',
    // 3.4's default (capnslog) prints a deprecation warning at every start.
    '--logger=zap',
    '--log-outputs=stderr',
  ];
  const suites = input.cipherSuites
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (suites.length > 0) args.push(`--cipher-suites=${suites.join(',')}`);
  return args;
}

/** The full argv, binary first, as a service definition wants it (CharmServiceSpec.command). */
export function etcdCommand(input: EtcdFlagsInput, bin: string = ETCD_BIN): string[] {
  return [bin, ...etcdArgs(input)];
}

/**
 * etcd 3.4 refuses to start on an architecture it does not test (arm64 among them) unless
 * ETCD_UNSUPPORTED_ARCH names it. `arch` is Debian's name, which matches Go's for these.
 */
export function etcdEnvironment(arch: string): Record<string, string> {
  return arch === '' || arch === 'amd64' || arch === 'ppc64le'
    ? {}
    : { ETCD_UNSUPPORTED_ARCH: arch };
}
