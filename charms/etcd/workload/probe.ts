// One command that reads every machine fact reconcile needs before it acts (hostname, where etcd
// can come from, whether this member has data, whether Debian's own etcd runs), and its parser.
// Pure: the charm runs the string. One round trip per hook instead of six.
import { EtcdCommandError } from './errors.js';
import { shellQuote } from 'rune/charm';

export type PackageState = 'installed' | 'available' | 'none';

export interface MachineProbe {
  hostname: string;
  /** Debian's name for it (`amd64`, `arm64`), as release archives are named. */
  arch: string;
  /** etcd-server and etcd-client both: installed, installable from a configured mirror, or not. */
  package: PackageState;
  /** snapd installed and its socket up. */
  snapd: boolean;
  /** One of this member's possible data dirs already holds a member: it joined before. */
  memberData: boolean;
  /** The etcd-server package's own instance runs (its init script or unit started it). */
  distroEtcd: boolean;
  /** An identity stamp (inode, size, mtime) of each candidate etcd binary that exists. */
  etcdStamps: Map<string, string>;
}

const STAMP_KEY = 'etcd-binary ';

/**
 * Debian's etcd-server starts its own etcd (on 2379, data in /var/lib/etcd/default) from
 * /etc/init.d/etcd or etcd.service where an init system runs. It is never ours: seen by its
 * pid file or its systemd unit.
 */
const DISTRO_RUNNING =
  '{ [ -d /run/systemd/system ] && systemctl is-active --quiet etcd.service; } || ' +
  '{ [ -f /run/etcd.pid ] && kill -0 "$(cat /run/etcd.pid)" 2>/dev/null; }';

/**
 * `dataDirs`: every place this member's data could be (one per install layout); `etcdBins`:
 * every place its etcd binary could be, each stamped so the charm knows whether the binary
 * whose version it read is still the one there (asking it again costs a Go start-up per hook).
 */
export function probeCommand(
  dataDirs: readonly string[],
  etcdBins: readonly string[] = [],
): string {
  const member = dataDirs.map((d) => `[ -d ${shellQuote(`${d}/member`)} ]`).join(' || ');
  return [
    'echo "hostname=$(hostname)"',
    'echo "arch=$(dpkg --print-architecture 2>/dev/null || uname -m)"',
    // Both packages or neither: etcdctl comes from etcd-client.
    "if [ \"$(dpkg-query -W -f='${Status}\\n' etcd-server etcd-client 2>/dev/null | grep -c 'install ok installed')\" = 2 ]; then echo package=installed; " +
      'elif [ "$(apt-cache policy etcd-server etcd-client 2>/dev/null | grep -c \'Candidate: [0-9]\')" = 2 ]; then echo package=available; ' +
      'else echo package=none; fi',
    'if command -v snap >/dev/null 2>&1 && [ -S /run/snapd.socket ]; then echo snapd=yes; else echo snapd=no; fi',
    `if ${member || 'false'}; then echo member-data=yes; else echo member-data=no; fi`,
    `if ${DISTRO_RUNNING}; then echo distro-etcd=running; else echo distro-etcd=stopped; fi`,
    ...etcdBins.map(
      (bin) =>
        `if [ -x ${shellQuote(bin)} ]; then echo "${STAMP_KEY}${bin}=$(stat -L -c '%i:%s:%Y' ${shellQuote(bin)})"; fi`,
    ),
  ].join('\n');
}

/** Reads probeCommand's `key=value` lines; a missing line means the script did not run. */
export function parseProbe(code: number, stdout: string, stderr: string): MachineProbe {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const pkg = values.get('package');
  if (code !== 0 || pkg === undefined || !values.has('distro-etcd')) {
    throw new EtcdCommandError('probing the machine', code, stderr || stdout);
  }
  return {
    hostname: values.get('hostname') ?? '',
    arch: values.get('arch') ?? '',
    package: pkg === 'installed' || pkg === 'available' ? pkg : 'none',
    snapd: values.get('snapd') === 'yes',
    memberData: values.get('member-data') === 'yes',
    distroEtcd: values.get('distro-etcd') === 'running',
    etcdStamps: new Map(
      [...values]
        .filter(([key]) => key.startsWith(STAMP_KEY))
        .map(([key, stamp]) => [key.slice(STAMP_KEY.length), stamp]),
    ),
  };
}
