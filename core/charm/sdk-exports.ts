// The package names of Rune's SDK (`rune/charm`, `rune/interfaces`, `rune/testing`), read from
// package.json `exports`: the one table Node, tsc and vitest resolve them with, so the charm
// bundler maps exactly the same names, each to the module the controller itself runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Subpath (`./charm`) → the file it names for plain Node (`./dist/core/charm/public-sdk.js`). */
type ExportTable = ReadonlyMap<string, string>;

const tables = new Map<string, ExportTable>();

/** The `default` target of each subpath in `<root>/package.json` `exports` (conditions for tsc
 * and vitest point at the same module's declarations or sources). */
function exportTable(root: string): ExportTable {
  const known = tables.get(root);
  if (known) return known;
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports?: unknown };
  const table = new Map<string, string>();
  const exports = typeof pkg.exports === 'object' && pkg.exports !== null ? pkg.exports : {};
  for (const [subpath, target] of Object.entries(exports as Record<string, unknown>)) {
    const file =
      typeof target === 'string' ? target : (target as { default?: unknown } | null)?.default;
    if (typeof file === 'string' && subpath !== './package.json') table.set(subpath, file);
  }
  tables.set(root, table);
  return table;
}

/** True for `rune` and `rune/...`: an import of Rune by its package name. */
export function isSdkPackageImport(specifier: string): boolean {
  return specifier === 'rune' || specifier.startsWith('rune/');
}

/** The names a charm may import Rune by, for messages: `rune/charm, rune/interfaces, ...`. */
export function sdkPackageNames(root: string): string[] {
  return [...exportTable(root).keys()].map((subpath) => `rune${subpath.slice(1)}`).sort();
}

/** Where `rune/<subpath>` points inside Rune's package at `root`, or why it cannot be imported. */
export function resolveSdkPackageImport(
  specifier: string,
  root: string,
): { file: string } | { problem: string } {
  const subpath = specifier === 'rune' ? '.' : `./${specifier.slice('rune/'.length)}`;
  const target = exportTable(root).get(subpath);
  if (target !== undefined) return { file: join(root, target) };
  const names = sdkPackageNames(root).join(', ');
  return { problem: `Rune does not export "${specifier}"; charms import ${names}` };
}
