// Several files written in one command (one round trip): their bytes go in one after another on
// stdin, each read back by `head -c`, which never reads past the count it is given, so every file
// gets exactly its own bytes. Each file is written to a fresh temp name beside it and renamed over
// it, as writeFile always did: a reader sees the old file or the new one, never a part. Pure: the
// machine runs the script.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { shellQuote } from '../../core/charm/shell.js';
import type { FileWrite } from '../../core/model/machine.js';

export interface FileWritesScript {
  script: string;
  stdin: Buffer;
}

/** A fresh, unguessable name beside `path` (mktemp's guarantee, without its process). */
export function tempNameBeside(path: string): string {
  return `${posix.dirname(path)}/.${posix.basename(path)}.rune-${randomBytes(8).toString('hex')}`;
}

/** What the script prints for each file it finished, in order: `<tag> <index> <changed|same>`. */
const TAG = 'rune-file';

/**
 * The script and its stdin. `tempName(path)` gives each file's temp name (fresh and unguessable:
 * the script creates it with noclobber, so an existing file there is never written through).
 * `after` runs once every file is in place, with `$changed` set to 1 when any file changed, and
 * `$changed_<index>` when that one did; its exit status is the script's.
 */
export function fileWritesScript(
  files: readonly FileWrite[],
  tempName: (path: string) => string,
  after = '',
): FileWritesScript {
  const lines = ['changed=0', 'set -C'];
  const made = new Set<string>();
  const chunks: Buffer[] = [];
  files.forEach((file, i) => {
    const data = typeof file.data === 'string' ? Buffer.from(file.data, 'utf8') : file.data;
    chunks.push(data);
    const dir = posix.dirname(file.path);
    if (!made.has(dir)) {
      made.add(dir);
      lines.push(`[ -d ${shellQuote(dir)} ] || mkdir -p ${shellQuote(dir)} || exit 1`);
    }
    const mode = file.mode ?? 0o644;
    // Without execute or special bits the umask gives the temp file its final mode as it is
    // created: no chmod, and its content is never readable by anyone the final mode excludes.
    // Otherwise it is created 0600 and chmod'ed before the rename publishes it.
    const byUmask = (mode & ~0o666) === 0;
    const umask = (byUmask ? 0o777 & ~mode : 0o077).toString(8).padStart(3, '0');
    const target = shellQuote(file.path);
    const fill =
      `head -c ${data.length} >"$t"` +
      (byUmask ? '' : ` && chmod ${mode.toString(8)} "$t"`) +
      (file.owner === undefined ? '' : ` && chown ${shellQuote(file.owner)} "$t"`);
    const publish = `mv -f "$t" ${target} || { rm -f "$t"; exit 1; }; changed=1; changed_${i}=1; echo "${TAG} ${i} changed"`;
    lines.push(
      `t=${shellQuote(tempName(file.path))}; umask ${umask}`,
      `${fill} || { rm -f "$t"; exit 1; }`,
      file.onlyIfChanged === true
        ? `if cmp -s "$t" ${target}; then rm -f "$t"; echo "${TAG} ${i} same"; else ${publish}; fi`
        : publish,
    );
  });
  if (after !== '') lines.push(after);
  return { script: lines.join('\n'), stdin: Buffer.concat(chunks) };
}

/** Per file, whether it changed; undefined for a file the script did not get to (it failed). */
export function readFileWrites(stdout: string, count: number): (boolean | undefined)[] {
  const changed: (boolean | undefined)[] = new Array<boolean | undefined>(count).fill(undefined);
  for (const line of stdout.split('\n')) {
    const [tag, index, what] = line.trim().split(' ');
    const i = Number(index);
    if (tag === TAG && Number.isInteger(i) && i >= 0 && i < count) changed[i] = what === 'changed';
  }
  return changed;
}
