// Reads a bundle and its overlays from disk, resolves their charms, and validates: the I/O edge
// around the pure bundle room. Returns the resolved bundle or throws BundleInvalidError.
import { readFileSync, statSync } from 'node:fs';
import {
  type BundleSource,
  parseBundle,
  resolveCharms,
  type ResolvedBundle,
  validateBundle,
} from '../bundle/index.js';
import { CharmRepository } from '../charm/repository.js';
import { type Diagnostic, hasErrors } from '../yaml/diagnostic.js';
import { DEFAULT_LIMITS, tooLarge } from '../yaml/located.js';
import { BundleInvalidError, FileReadError } from './errors.js';

export interface LoadedBundle {
  bundle: ResolvedBundle;
  /** Warnings only: a bundle with errors is thrown as BundleInvalidError. */
  warnings: Diagnostic[];
}

function readSource(file: string): BundleSource | Diagnostic {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new FileReadError(file, 'not a regular file');
    size = stat.size;
  } catch (e) {
    if (e instanceof FileReadError) throw e;
    throw new FileReadError(
      file,
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e),
    );
  }
  // Refuse before reading: a 50 MB file must cost nothing (issue 2, bad input).
  if (size > DEFAULT_LIMITS.maxBytes) return tooLarge(file, size);
  return { file, text: readFileSync(file, 'utf8') };
}

export function loadBundle(
  file: string,
  overlays: readonly string[],
  repository: CharmRepository = new CharmRepository(),
): LoadedBundle {
  const sources: BundleSource[] = [];
  const early: Diagnostic[] = [];
  for (const path of [file, ...overlays]) {
    const source = readSource(path);
    if ('text' in source) sources.push(source);
    else early.push(source);
  }
  if (early.length > 0) throw new BundleInvalidError(early);
  const parsed = parseBundle(sources);
  if (!parsed.root || hasErrors(parsed.diagnostics))
    throw new BundleInvalidError(parsed.diagnostics);
  const charms = resolveCharms(parsed.root, (ref, dir) => repository.resolve(ref, dir));
  // The local provider, the embedded default, has no containers (DESIGN §8).
  const result = validateBundle(parsed.root, charms, { containers: false });
  const diagnostics = [...parsed.diagnostics, ...result.diagnostics];
  if (!result.bundle) throw new BundleInvalidError(diagnostics);
  return { bundle: result.bundle, warnings: diagnostics };
}
