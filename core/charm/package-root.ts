// Where Rune's own package is: its charms, bundles and dist/ are found from here. A module of its
// own so that finding it loads nothing else (the CLI's controller access needs only this).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PackageRootError } from './errors.js';

let root: string | undefined;

/** The folder holding Rune's package.json, from source (vitest) or compiled (dist/) alike. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && packageName(file) === 'rune') return (root = dir);
    if (dirname(dir) === dir) throw new PackageRootError(start);
  }
}

function packageName(file: string): unknown {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}
