// The scripts behind the snapshot and restore actions, and readers for what they print. Pure:
// strings for `ctx.machine.run`. Each prints `key=value` lines the action turns into results;
// etcdctl's own chatter goes to stderr. File names carry the machine's UTC time, so no clock here.
import { type EtcdctlTarget, etcdctlCommand } from './etcdctl.js';
import { JsonReader, parseEtcdctlJson } from './json.js';
import { shellQuote } from 'rune/charm';

const STAMP = '$(date -u +%Y-%m-%d-%H.%M.%S)';

/**
 * Saves a snapshot through `target` (one endpoint) as `dir/etcd-snapshot-<UTC>.tar.gz`, readable
 * by root only: it holds every key the cluster has, secrets included.
 */
export function snapshotScript(target: EtcdctlTarget, dir: string): string {
  const work = `${dir}/.etcd-snapshot.partial`;
  const save = etcdctlCommand(target, { op: 'snapshot save', path: `${work}/etcd-snapshot.db` });
  return [
    'set -e',
    'umask 077',
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
  /** A snapshot archive from snapshotScript, or a bare `.db` from `etcdctl snapshot save`,
   * told apart by content (an attached resource always has the metadata's file name). */
  archive: string;
  /** When given, the archive's sha256 must be this. */
  sha256?: string;
  name: string;
  dataDir: string;
  initialCluster: string;
  token: string;
  peerUrl: string;
}

/** Where restorePrepareScript leaves the restored data for restoreSwapScript. */
export const restoredDir = (dataDir: string): string => `${dataDir}.restored`;

/** The prefix of the one stderr line that says why a prepare refused. */
export const REFUSAL = 'rune-refused: ';

/**
 * Everything a restore can do while the member still runs: check the archive (present, the
 * sha256 asked for, unpacks, `snapshot status` reads it) and restore it into
 * `<dataDir>.restored`, which also checks the hash `snapshot save` appended. A bad archive so
 * changes nothing; the one line starting with REFUSAL says why. Prints `sha256=` and
 * `status=` (snapshot status's JSON).
 */
export function restorePrepareScript(input: RestoreInput): string {
  const work = `${input.dataDir}.restore`;
  const db = `${work}/snapshot.db`;
  const status = etcdctlCommand(input.target, { op: 'snapshot status', path: db });
  const restore = etcdctlCommand(input.target, {
    op: 'snapshot restore',
    path: db,
    name: input.name,
    dataDir: restoredDir(input.dataDir),
    initialCluster: input.initialCluster,
    token: input.token,
    peerUrl: input.peerUrl,
  });
  return [
    'umask 077',
    `s=${shellQuote(input.archive)}`,
    `w=${shellQuote(work)}`,
    `r=${shellQuote(restoredDir(input.dataDir))}`,
    `want=${shellQuote(input.sha256 ?? '')}`,
    `refuse() { printf '${REFUSAL}%s\\n' "$1" >&2; rm -rf "$w" "$r"; exit 1; }`,
    // etcdctl's reason is its `Error:` line; a file that is no bolt database can crash it instead
    // (SIGBUS on a truncated one, with a page of goroutines), so only that line is quoted.
    `why() { l=$(grep -m 1 '^Error:' "$w/err" | cut -c 1-120); printf '%s' "\${l:-etcdctl $1 failed}"; }`,
    '[ -f "$s" ] || refuse "no snapshot file at $s"',
    'rm -rf "$w" "$r"; mkdir -p "$w"',
    'have=$(sha256sum "$s" | cut -d " " -f 1)',
    'if [ -n "$want" ] && [ "$have" != "$want" ]; then',
    '  refuse "its sha256 is $have, not the $want asked for"',
    'fi',
    'if gzip -t "$s" 2>/dev/null; then',
    '  tar -xzf "$s" -C "$w" --no-same-owner 2>"$w/err" || refuse "it does not unpack (tar -xzf)"',
    `  f=$(find "$w" -type f -name '*.db' | head -n 1)`,
    '  [ -n "$f" ] || refuse "the archive holds no .db snapshot"',
    '  [ "$f" = "$w/snapshot.db" ] || mv "$f" "$w/snapshot.db"',
    'else',
    '  cp "$s" "$w/snapshot.db"',
    'fi',
    `${status} >"$w/status.json" 2>"$w/err" ||`,
    '  refuse "it is not an etcd snapshot ($(why "snapshot status"))"',
    `${restore} >/dev/null 2>"$w/err" ||`,
    `  refuse "it fails etcd's integrity check: damaged or cut short ($(why "snapshot restore"))"`,
    'echo "sha256=$have"',
    'echo "status=$(cat "$w/status.json")"',
    'rm -rf "$w"',
  ].join('\n');
}

/**
 * Swaps the restored data in: the old data moves to `backupDir` (printed as `backup=`), or goes
 * when there is none. The service must be stopped before this runs.
 */
export function restoreSwapScript(dataDir: string, backupDir?: string): string {
  return [
    'set -e',
    `d=${shellQuote(dataDir)}`,
    `r=${shellQuote(restoredDir(dataDir))}`,
    `[ -d "$r" ] || { echo "the restored data at $r is gone" >&2; exit 1; }`,
    ...(backupDir === undefined
      ? ['rm -rf "$d"']
      : [
          `b=${shellQuote(backupDir)}/etcd-data-${STAMP}`,
          `mkdir -p ${shellQuote(backupDir)}`,
          'if [ -d "$d" ]; then mv "$d" "$b"; echo "backup=$b"; fi',
        ]),
    'mv "$r" "$d"',
  ].join('\n');
}

/** The line of a failed prepare that says why, without the prefix; undefined when none did. */
export function refusalReason(stderr: string): string | undefined {
  const line = stderr.split('\n').find((l) => l.startsWith(REFUSAL));
  return line?.slice(REFUSAL.length).trim();
}

export interface SnapshotStatus {
  /** The revision the cluster was at when the snapshot was taken. */
  revision: bigint;
  /** Keys in the snapshot's store, every revision of each counted (etcd's `totalKey`). */
  totalKey: number;
  totalSize: number;
}

/** `etcdctl snapshot status -w json`: `{"hash":…,"revision":…,"totalKey":…,"totalSize":…}`. */
export function parseSnapshotStatus(json: string): SnapshotStatus {
  const r = new JsonReader('snapshot status', json);
  const body = r.object(parseEtcdctlJson(r.operation, json), 'the output');
  const number = (value: unknown, what: string): number =>
    typeof value === 'number' ? value : r.fail(`${what} is not a number`);
  return {
    revision: r.uint64(body.revision, 'revision'),
    totalKey: number(body.totalKey, 'totalKey'),
    totalSize: number(body.totalSize, 'totalSize'),
  };
}
