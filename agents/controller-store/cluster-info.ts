// What a store cluster is, as enable-ha records it (JSON in controller.json), and the etcd command
// line each member runs with: derived from that record alone, so any controller member can restart
// any store member from it. Pure: no files, no processes.

export interface StoreMember {
  /** etcd's member name, `store-<i>`. */
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  pidFile: string;
  logFile: string;
  /** The member's certificate (serverAuth for clients, clientAuth towards its peers) and key. */
  certFile: string;
  keyFile: string;
  /** Set when the member runs on another host (enable-ha --to): the machine it runs on, where
   * the controller member beside it starts and keeps it. Its files have the same paths there. */
  machine?: string;
}

/** How to reach the cluster, and how to run its members. */
export interface StoreClusterInfo {
  /** Holds everything below: certificates, data, pid and log files (0700). */
  dir: string;
  /** The initial cluster token: unique per cluster, so two never merge by mistake. */
  token: string;
  /** https client URLs, one per member, in member order. */
  endpoints: string[];
  /** PEM files (0600) the controller's members use as etcd client: CA, client cert, client key. */
  tls: { caFile: string; certFile: string; keyFile: string };
  members: StoreMember[];
}

/**
 * etcd's flags for member `i`, spelled as both 3.4 (Debian bookworm) and 3.5 accept them. The
 * initial-cluster flags count only on the first start: a member with data ignores them, so the
 * same command line serves a restart.
 */
export function memberArgs(info: StoreClusterInfo, i: number): string[] {
  const member = info.members[i];
  if (member === undefined) throw new RangeError(`no store member ${i} in ${info.dir}`);
  const initialCluster = info.members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  return [
    `--name=${member.name}`,
    `--data-dir=${member.dataDir}`,
    `--listen-client-urls=${member.clientUrl}`,
    `--advertise-client-urls=${member.clientUrl}`,
    `--listen-peer-urls=${member.peerUrl}`,
    `--initial-advertise-peer-urls=${member.peerUrl}`,
    `--initial-cluster=${initialCluster}`,
    `--initial-cluster-token=${info.token}`,
    '--initial-cluster-state=new',
    // Clients and peers alike must show a certificate from the cluster's own CA.
    `--cert-file=${member.certFile}`,
    `--key-file=${member.keyFile}`,
    '--client-cert-auth',
    `--trusted-ca-file=${info.tls.caFile}`,
    `--peer-cert-file=${member.certFile}`,
    `--peer-key-file=${member.keyFile}`,
    '--peer-client-cert-auth',
    `--peer-trusted-ca-file=${info.tls.caFile}`,
    // 3.4 defaults to the deprecated capnslog, 3.5 to zap: one format in the log either way.
    '--logger=zap',
    '--log-outputs=stderr',
  ];
}

/** The argument that tells this member's process apart from any other etcd on the host. */
export function dataDirArg(member: StoreMember): string {
  return `--data-dir=${member.dataDir}`;
}
