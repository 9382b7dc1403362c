// The commands that put etcd on a machine from each install source, and the reader of
// `etcd --version`. Pure: strings for `ctx.machine.run`; install.ts decides which run.
import { ETCD_VERSION } from './install-source.js';
import { shellQuote } from 'rune/charm';

/**
 * Debian's etcd-server may start its own etcd on 2379 (init script or unit) as it installs. The
 * charm runs its own member under Rune's services, so the package's instance is stopped and kept
 * from starting at boot; still running afterwards is an error, as ours could not bind its ports.
 */
export const STOP_DISTRO_ETCD = [
  'if [ -d /run/systemd/system ]; then systemctl disable --now etcd.service >/dev/null 2>&1 || true; fi',
  'if [ -x /etc/init.d/etcd ]; then /etc/init.d/etcd stop >/dev/null 2>&1 || true; update-rc.d etcd disable >/dev/null 2>&1 || true; fi',
  'if [ -f /run/etcd.pid ] && kill -0 "$(cat /run/etcd.pid)" 2>/dev/null; then echo "the etcd-server package\'s own etcd (pid $(cat /run/etcd.pid)) still runs" >&2; exit 1; fi',
].join('\n');

/** snapd's refresh setting for config `snapd_refresh`: `max` holds updates as long as snapd allows. */
function snapRefresh(setting: string): string {
  const value = setting.trim();
  if (value === '') return 'snap unset system refresh.timer refresh.hold';
  if (value === 'max') {
    return 'snap set system refresh.hold="$(date --date=+90days +%Y-%m-%dT%H:%M:%S%:z)"';
  }
  return `snap set system refresh.timer=${shellQuote(value)}`;
}

/**
 * Installs the snap when absent, and disables the snap's own etcd service: the member runs under
 * Rune's services with this charm's flags, as it does from the package.
 */
export function snapInstallCommand(channel: string, refresh: string): string {
  return [
    'set -e',
    `snap list etcd >/dev/null 2>&1 || snap install etcd --channel=${shellQuote(channel)}`,
    'snap stop --disable etcd >/dev/null 2>&1 || true',
    snapRefresh(refresh),
  ].join('\n');
}

const RELEASES = 'https://github.com/etcd-io/etcd/releases/download';

export function archiveName(arch: string, version: string = ETCD_VERSION): string {
  return `etcd-v${version}-linux-${arch}.tar.gz`;
}

export function archiveUrl(arch: string, version: string = ETCD_VERSION): string {
  return `${RELEASES}/v${version}/${archiveName(arch, version)}`;
}

/** Exits 0 when the release archive can be fetched from here (curl present, network open). */
export function archiveProbeCommand(arch: string): string {
  return `command -v curl >/dev/null 2>&1 && curl -fsSIL --max-time 10 -o /dev/null ${shellQuote(archiveUrl(arch))}`;
}

/** Where a downloaded release archive is kept. */
export const ARCHIVE_CACHE = '/var/cache/rune-etcd';

/** Downloads the release archive and checks it against the release's SHA256SUMS. */
export function archiveFetchCommand(arch: string): string {
  const name = archiveName(arch);
  return [
    'set -e',
    `mkdir -p ${ARCHIVE_CACHE}`,
    `cd ${ARCHIVE_CACHE}`,
    `curl -fsSL --max-time 600 -o ${shellQuote(name)} ${shellQuote(archiveUrl(arch))}`,
    `curl -fsSL --max-time 60 -o SHA256SUMS ${shellQuote(`${RELEASES}/v${ETCD_VERSION}/SHA256SUMS`)}`,
    `grep ${shellQuote(`  ${name}`)}'$' SHA256SUMS | sha256sum -c -`,
  ].join('\n');
}

export function archivePath(arch: string): string {
  return `${ARCHIVE_CACHE}/${archiveName(arch)}`;
}

/**
 * Unpacks etcd and etcdctl from a release tarball into `binDir`, wherever in the tarball they
 * are (the official one has a top folder; a hand-made one may not).
 */
export function extractCommand(archive: string, binDir: string): string {
  const a = shellQuote(archive);
  const b = shellQuote(binDir);
  return [
    'set -e',
    'd=$(mktemp -d)',
    'trap \'rm -rf "$d"\' EXIT',
    `tar -xzf ${a} -C "$d" --no-same-owner`,
    'e=$(find "$d" -type f -name etcd | head -n 1)',
    'c=$(find "$d" -type f -name etcdctl | head -n 1)',
    `if [ -z "$e" ] || [ -z "$c" ]; then echo ${a}' holds no etcd and etcdctl binaries' >&2; exit 1; fi`,
    `mkdir -p ${b}`,
    `install -m 0755 "$e" ${b}/etcd`,
    `install -m 0755 "$c" ${b}/etcdctl`,
  ].join('\n');
}

export function versionCommand(bin: string): string {
  return `${shellQuote(bin)} --version`;
}

/** `etcd Version: 3.4.23` (first line of `etcd --version`) → `3.4.23`; undefined otherwise. */
export function parseVersion(stdout: string): string | undefined {
  return /^etcd Version:\s*(\S+)/m.exec(stdout)?.[1];
}
