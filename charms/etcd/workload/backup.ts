// The scripts behind the snapshot and restore actions. Pure: strings for `ctx.machine.run`.
// Each prints `key=value` lines the action turns into results; etcdctl's own chatter goes to
// stderr. File names carry the machine's UTC time, so the hook needs no clock.
import { type EtcdctlTarget, etcdctlCommand } from './etcdctl.js';
import { shellQuote } from 'rune/charm';

const STAMP = '$(date -u +%Y-%m-%d-%H.%M.%S)';

/** Saves a snapshot through `target` (one endpoint) as `dir/etcd-snapshot-<UTC>.tar.gz`. */
export function snapshotScript(target: EtcdctlTarget, dir: string): string {
  const work = `${dir}/.etcd-snapshot.partial`;
  const save = etcdctlCommand(target, { op: 'snapshot save', path: `${work}/etcd-snapshot.db` });
  return [
    'set -e',
    `t=${shellQuote(dir)}`,
    `w=${shellQuote(work)}`,
    'rm -rf "$w"; mkdir -p "$w"',
    `${save} >&2`,
    `name="etcd-snapshot-${STAMP}.tar.gz"`,
    'tar -czf "$t/$name" -C "$w" etcd-snapshot.db',
    'rm -rf "$w"',
    'echo "path=$t/$name"',
    'echo "size=$(stat -c %s "$t/$name")"',
    'echo "sha256=$(sha256sum "$t/$name" | cut -d " " -f 1)"',
  ].join('\n');
}

export interface RestoreInput {
  target: EtcdctlTarget;
  /** A snapshot archive from snapshotScript, or a bare `.db` snapshot. */
  archive: string;
  name: string;
  dataDir: string;
  initialCluster: string;
  token: string;
  peerUrl: string;
  /** Where the replaced data is moved; undefined deletes it. */
  backupDir?: string;
}

/**
 * Restores into `<dataDir>.restored` first and swaps it in only once etcdctl succeeded, so a bad
 * archive leaves the old data where it was. The service must be stopped before this runs.
 */
export function restoreScript(input: RestoreInput): string {
  const work = `${input.dataDir}.restore`;
  const restore = etcdctlCommand(input.target, {
    op: 'snapshot restore',
    path: `${work}/snapshot.db`,
    name: input.name,
    dataDir: `${input.dataDir}.restored`,
    initialCluster: input.initialCluster,
    token: input.token,
    peerUrl: input.peerUrl,
  });
  const backup = input.backupDir;
  return [
    'set -e',
    `s=${shellQuote(input.archive)}`,
    `w=${shellQuote(work)}`,
    `d=${shellQuote(input.dataDir)}`,
    'rm -rf "$w" "$d.restored"; mkdir -p "$w"',
    'case "$s" in',
    '  *.db) cp "$s" "$w/snapshot.db" ;;',
    '  *) tar -xzf "$s" -C "$w" --no-same-owner',
    '     f=$(find "$w" -type f -name "*.db" | head -n 1)',
    '     if [ -z "$f" ]; then echo "$s holds no .db snapshot" >&2; exit 1; fi',
    '     if [ "$f" != "$w/snapshot.db" ]; then mv "$f" "$w/snapshot.db"; fi ;;',
    'esac',
    `${restore} >&2`,
    ...(backup === undefined
      ? ['rm -rf "$d"']
      : [
          `b=${shellQuote(backup)}/etcd-data-${STAMP}`,
          `mkdir -p ${shellQuote(backup)}`,
          'if [ -d "$d" ]; then mv "$d" "$b"; echo "backup=$b"; fi',
        ]),
    'mv "$d.restored" "$d"',
    'rm -rf "$w"',
  ].join('\n');
}
