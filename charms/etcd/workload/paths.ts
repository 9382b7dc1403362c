// Where the etcd charm keeps etcd's files on a unit's machine, and the names it derives from the
// unit. Pure: these are decisions, nothing is created here.
import type { InstallSource } from './install-source.js';

/** Debian's etcd-server and etcd-client (DESIGN §9: the distribution package comes first). */
export const ETCD_BIN = '/usr/bin/etcd';
export const ETCDCTL_BIN = '/usr/bin/etcdctl';
const DATA_ROOT = '/var/lib/etcd';

/** TLS material from the certificates relation; keys are written 0600 (DESIGN §12). */
export const TLS_DIR = '/etc/etcd/tls';
export interface TlsPaths {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}
export const TLS_PATHS: TlsPaths = tlsPaths(TLS_DIR);

/** `etcd/0` → `etcd-0`: etcd member names end up in URLs and file names, where `/` does not fit. */
export function memberName(unit: string): string {
  return unit.replace(/\//g, '-');
}

/**
 * `/var/lib/etcd/etcd-0`, not Debian's shared `/var/lib/etcd/default`: a member's data belongs
 * to that member only. etcd refuses to start on the data of a member the cluster removed, so a
 * new unit on a machine that once ran another (unit numbers are never reused) must start empty.
 */
export function dataDir(name: string, root: string = DATA_ROOT): string {
  return `${root}/${name}`;
}

/** Where one install source puts etcd's binaries, members' data and the TLS material. */
export interface Layout {
  source: InstallSource;
  etcd: string;
  etcdctl: string;
  /** Parent of each member's data dir (dataDir's `root`). */
  dataRoot: string;
  tlsDir: string;
}

/** Release binaries (the official archive or an attached resource) are unpacked here. */
export const RELEASE_BIN_DIR = '/opt/etcd/bin';

/**
 * The snap is strictly confined: it may only read and write under its own $SNAP_COMMON, so its
 * data and certificates live there instead of /var/lib/etcd and /etc/etcd.
 */
const SNAP_COMMON = '/var/snap/etcd/common';

export function layoutFor(source: InstallSource): Layout {
  switch (source) {
    case 'package':
      return { source, etcd: ETCD_BIN, etcdctl: ETCDCTL_BIN, dataRoot: DATA_ROOT, tlsDir: TLS_DIR };
    case 'snap':
      return {
        source,
        etcd: '/snap/bin/etcd',
        etcdctl: '/snap/bin/etcd.etcdctl',
        dataRoot: SNAP_COMMON,
        tlsDir: `${SNAP_COMMON}/tls`,
      };
    case 'archive':
    case 'resource':
      return {
        source,
        etcd: `${RELEASE_BIN_DIR}/etcd`,
        etcdctl: `${RELEASE_BIN_DIR}/etcdctl`,
        dataRoot: DATA_ROOT,
        tlsDir: TLS_DIR,
      };
  }
}

export function tlsPaths(dir: string): TlsPaths {
  return {
    ca: `${dir}/ca.crt`,
    serverCert: `${dir}/server.crt`,
    serverKey: `${dir}/server.key`,
    clientCert: `${dir}/client.crt`,
    clientKey: `${dir}/client.key`,
  };
}
