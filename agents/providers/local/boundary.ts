// What a local machine may see of the host's filesystem and which capabilities its processes keep
// (issue 15 item 10, DESIGN §12). Pure policy: machine-start.ts lists `/`, the init script
// (machine-script.ts) applies the result.

/** One entry at the top of the host's `/`, as `readdir(..., { withFileTypes: true })` gives it. */
export interface TopLevelEntry {
  name: string;
  kind: 'dir' | 'symlink' | 'other';
}

/**
 * A host path the machine's overlay root hides (a whiteout in its upper dir, so nothing is
 * mounted over it that a machine could unmount): `empty` comes back as an empty directory with
 * the host's owner and mode (/tmp stays 1777), `gone` is simply absent.
 */
export interface HiddenPath {
  path: string;
  as: 'empty' | 'gone';
}

/**
 * The top-level entries a machine shares with the host (copy-on-write): the system itself, so
 * that packages installed on the host are installed on the machines (host-packages.ts). The
 * rest (home directories, /tmp, /mnt, /srv, a checkout in /work, a Rune home anywhere outside
 * these) is hidden. `dev`, `proc`, `run` and `sys` are the machine's own mounts anyway.
 */
export const SHARED_TOP_LEVEL: ReadonlySet<string> = new Set([
  'bin',
  'boot',
  'dev',
  'etc',
  'lib',
  'lib32',
  'lib64',
  'libx32',
  'opt',
  'proc',
  'run',
  'sbin',
  'snap',
  'sys',
  'usr',
  'var',
]);

/** Mounted fresh inside the machine: a whiteout under them would hide nothing. */
const MACHINE_MOUNTS = new Set(['dev', 'proc', 'run', 'sys']);

/** Inside a shared directory but per host, like /tmp. */
const ALWAYS_HIDDEN = ['/var/tmp'];

/**
 * Every path the machine must not see: the unshared top-level entries of `/` (a directory comes
 * back empty, anything else is gone), /var/tmp, and `extra` (absolute, real paths: the Rune
 * home and the controller's state dir) unless an entry above already hides it. Sorted, so a
 * parent comes before what lies under it.
 */
export function hiddenPaths(
  topLevel: readonly TopLevelEntry[],
  extra: readonly string[],
  /** More top-level entries to share (LocalProviderOptions.share). */
  shared: readonly string[] = [],
): HiddenPath[] {
  const hidden: HiddenPath[] = topLevel
    .filter((e) => !SHARED_TOP_LEVEL.has(e.name) && !shared.includes(e.name))
    .map((e) => ({ path: `/${e.name}`, as: e.kind === 'dir' ? 'empty' : 'gone' }));
  const present = new Set(topLevel.map((e) => e.name));
  for (const candidate of [...ALWAYS_HIDDEN, ...extra]) {
    const path = candidate.replace(/\/+$/, '');
    const top = path.split('/')[1] ?? '';
    if (!path.startsWith('/') || path === '' || !present.has(top) || MACHINE_MOUNTS.has(top))
      continue;
    if (hidden.some((h) => path === h.path || path.startsWith(`${h.path}/`))) continue;
    hidden.push({ path, as: 'empty' });
  }
  return hidden.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The capabilities a machine's processes keep; every other one leaves the bounding set before
 * tini starts, so no process on the machine (root's sessions, setuid binaries, services) can
 * ever hold it. Docker's default set, less MKNOD (no device cgroup stops a made block device
 * here), plus NET_ADMIN:
 * - chown, dac_override, fowner, fsetid: root's file semantics (dpkg, charms writing files as
 *   other users).
 * - setuid, setgid: sshd's privilege separation, and services run as their own user (setpriv).
 * - setpcap, setfcap: dropping capabilities further; dpkg giving a binary file capabilities.
 * - sys_chroot: sshd's privilege-separated child chroots.
 * - kill: the machine's own PID namespace is all it can see to signal.
 * - net_bind_service, net_raw, net_admin: ports below 1024, ping; routes and firewall rules
 *   of the machine's own network namespace (kube-proxy, flannel).
 * - audit_write: login tools log to the audit system and some refuse to run when they cannot.
 * Gone, among others: sys_admin (mount, so no hidden path comes back, no fresh /proc), sys_module,
 * sys_rawio, sys_boot, sys_time, sys_ptrace, mknod, dac_read_search (open_by_handle_at reaches
 * any host file), linux_immutable (an immutable file would stop remove-machine's delete),
 * mac_admin, mac_override, syslog, bpf, perfmon.
 */
export const MACHINE_CAPABILITIES = [
  'chown',
  'dac_override',
  'fowner',
  'fsetid',
  'setuid',
  'setgid',
  'setpcap',
  'setfcap',
  'sys_chroot',
  'kill',
  'net_bind_service',
  'net_raw',
  'net_admin',
  'audit_write',
] as const;

/** `setpriv --bounding-set` argument: all dropped, then the kept ones back. */
export function boundingSetArgument(): string {
  return ['-all', ...MACHINE_CAPABILITIES.map((c) => `+${c}`)].join(',');
}
