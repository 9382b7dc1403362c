// Column layout and ordering shared by the tabular status sections (and `rune controllers`).
// Pure: strings in, strings out.

export interface TableOptions {
  /** Column indexes padded on the left, as Juju's tabwriter does for Scale. */
  alignRight?: readonly number[];
}

/** Columns padded to their widest cell, two spaces apart, trailing blanks trimmed (as Juju). */
export function table(rows: readonly (readonly string[])[], options: TableOptions = {}): string[] {
  const right = new Set(options.alignRight ?? []);
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        if (right.has(i)) return cell.padStart(width);
        return i === row.length - 1 ? cell : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd(),
  );
}

const CHUNK = /\d+|\D+/g;
const DIGITS = /^\d+$/;

/**
 * Juju's natural sort (github.com/juju/naturalsort): runs of digits compare as numbers, so
 * machine `2` sorts before `10`. Other runs compare by code unit, never by locale, so the order
 * is the same on every host.
 */
export function naturalCompare(a: string, b: string): number {
  if (a === b) return 0;
  // Unit indexes and machine ids, one run of digits each: what a 10,000-unit sort compares.
  if (DIGITS.test(a) && DIGITS.test(b)) return Number(a) - Number(b) || (a < b ? -1 : 1);
  const xs = a.match(CHUNK) ?? [];
  const ys = b.match(CHUNK) ?? [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i] ?? '';
    const y = ys[i] ?? '';
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return xs.length - ys.length;
}

/**
 * Units by application, then by index: `etcd/2` before `etcd/10`, and every `etcd` unit before
 * `etcd-backup/0` (a plain natural sort would put `-` before `/`).
 */
export function compareUnitNames(a: string, b: string): number {
  const [appA, indexA] = splitUnit(a);
  const [appB, indexB] = splitUnit(b);
  return naturalCompare(appA, appB) || naturalCompare(indexA, indexB);
}

/** `etcd/10` as `etcd` and `10` (`/` absent: the name and ''; a second `/` ends the index). */
function splitUnit(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [name, ''];
  const end = name.indexOf('/', slash + 1);
  return [name.slice(0, slash), name.slice(slash + 1, end < 0 ? undefined : end)];
}

/** The application a unit name belongs to: `etcd` for `etcd/0`. */
export function unitApplication(unit: string): string {
  return unit.split('/')[0] ?? unit;
}
