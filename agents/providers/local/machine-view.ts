// The view of the host every local machine starts from: a skeleton upper dir, built once per host
// layout, holding a whiteout or an opaque empty directory for each path boundary.ts hides. Each
// machine's upper dir starts as a copy of it (one `cp -a` in machine-script.ts).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, realpath, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { hiddenPaths } from './boundary.js';
import type { TopLevelEntry } from './boundary.js';
import type { Run } from './exec.js';
import type { HostTools } from './host-setup.js';

/**
 * Builds the skeleton. Arguments: $1 skeleton dir, $2 overlay work dir, $3 mount point, then one
 * `empty:PATH` or `gone:PATH` per hidden path. Whiteouts rather than mounts: a machine without
 * CAP_SYS_ADMIN has nothing it could unmount to see the host's files again. An opaque directory
 * is what overlayfs makes when a directory is created over a whiteout, so the skeleton is
 * mounted once as an upper dir over `/` to make them (in a private mount namespace, gone when
 * this script ends). Parent directories copy the host's owner and mode: an upper directory's
 * attributes are what the merged view shows.
 */
const VIEW_SCRIPT = String.raw`set -eu
view=$1 work=$2 merged=$3
shift 3
for entry in "$@"; do
  path=${'${entry#*:}'} dir= rest=${'${entry#*:/}'}
  while [ "${'${rest#*/}'}" != "$rest" ]; do
    dir=$dir/${'${rest%%/*}'} rest=${'${rest#*/}'}
    if [ ! -d "$view$dir" ]; then
      mkdir "$view$dir"
      chown --reference="$dir" "$view$dir"
      chmod --reference="$dir" "$view$dir"
    fi
  done
  mknod -m 000 "$view$path" c 0 0
done
mount -t overlay -o "lowerdir=/,upperdir=$view,workdir=$work" rune-view "$merged"
for entry in "$@"; do
  case $entry in
    empty:*)
      path=${'${entry#empty:}'}
      mkdir "$merged$path"
      chown --reference="$path" "$merged$path"
      chmod --reference="$path" "$merged$path"
      ;;
  esac
done
`;

const PREFIX = '.view-';
const building = new Map<string, Promise<string>>();

/**
 * The skeleton for this host's layout and `hide` (host paths beyond boundary.ts's defaults; those
 * missing are skipped), under `machinesDir`. Named by a hash of what it hides, so it is built
 * again only when that changes (a new directory at the top of `/`), and shared by concurrent
 * creates; older skeletons are removed.
 */
export async function prepareView(
  run: Run,
  tools: HostTools,
  machinesDir: string,
  hide: readonly string[],
  share: readonly string[] = [],
): Promise<string> {
  const hidden = hiddenPaths(await topLevel(), await realPaths(hide), share);
  const args = hidden.map((h) => `${h.as}:${h.path}`);
  const hash = createHash('sha256').update(args.join('\0')).digest('hex').slice(0, 16);
  const view = path.join(machinesDir, `${PREFIX}${hash}`);
  if (existsSync(view)) return view;
  let pending = building.get(view);
  if (pending === undefined) {
    pending = build(run, tools, machinesDir, view, args).finally(() => building.delete(view));
    building.set(view, pending);
  }
  return pending;
}

async function build(
  run: Run,
  tools: HostTools,
  machinesDir: string,
  view: string,
  args: readonly string[],
): Promise<string> {
  // Built beside its final name and renamed into place: a half-built skeleton is never used.
  const temp = `${view}.tmp-${process.pid}`;
  const work = `${temp}.work`;
  const merged = `${temp}.root`;
  try {
    await Promise.all([temp, work, merged].map((d) => mkdir(d, { mode: 0o755 })));
    await run(tools.unshare, [
      '--mount',
      '--propagation',
      'private',
      '--',
      tools.sh,
      '-c',
      VIEW_SCRIPT,
      'rune-view',
      temp,
      work,
      merged,
      ...args,
    ]);
    await rename(temp, view);
  } finally {
    await chmod(path.join(work, 'work'), 0o700).catch(() => undefined);
    await Promise.all([temp, work, merged].map((d) => rm(d, { recursive: true, force: true })));
  }
  for (const entry of await readdir(machinesDir)) {
    const old = path.join(machinesDir, entry);
    if (entry.startsWith(PREFIX) && old !== view && !entry.includes('.tmp-'))
      await rm(old, { recursive: true, force: true });
  }
  return view;
}

/** The entries at the top of the host's `/`. */
async function topLevel(): Promise<TopLevelEntry[]> {
  return (await readdir('/', { withFileTypes: true })).map((e) => ({
    name: e.name,
    kind: e.isDirectory() ? 'dir' : e.isSymbolicLink() ? 'symlink' : 'other',
  }));
}

/** Each of `paths` with its symlinks resolved, as the overlay's lower dir shows it. */
async function realPaths(paths: readonly string[]): Promise<string[]> {
  const real = await Promise.all(paths.map((p) => realpath(p).catch(() => undefined)));
  return real.filter((p) => p !== undefined);
}
