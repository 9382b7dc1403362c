// A bundle and its overlays as verbs send them to the controller (deploy, diff-bundle): absolute
// paths out, and the controller's lines and refusals named back as the user typed the files.
import { resolve } from 'node:path';
import { ControllerRequestError } from '../controller/errors.js';
import type { Io } from './io.js';

/**
 * The bundle read and validated here: for --dry-run, and to name a refused bundle's files as
 * the user typed them. Loaded on demand: the parser, the schemas and the charm reader are most
 * of a CLI start, and a request to a controller, which validates the files itself, needs none.
 */
export async function validateHere(file: string, overlays: readonly string[], io: Io) {
  const [{ loadBundle }, { formatDiagnostic }] = await Promise.all([
    import('../controller/bundle-files.js'),
    import('../yaml/diagnostic.js'),
  ]);
  const { bundle, warnings } = loadBundle(file, overlays);
  for (const warning of warnings) io.err(formatDiagnostic(warning));
  return bundle;
}

/** The controller's lines name files by the absolute paths sent; shown as the user typed them. */
export function asTyped(line: string, typed: ReadonlyMap<string, string>): string {
  for (const [absolute, given] of typed) {
    if (line.startsWith(`${absolute}:`)) return `${given}${line.slice(absolute.length)}`;
  }
  return line;
}

/**
 * Sends the files' absolute paths through `request`; a bundle the controller refuses as
 * unreadable or invalid is read again here, so every error names the files as typed.
 * Returns the answer and the absolute → typed names for its warnings.
 */
export async function sendBundle<T>(
  file: string,
  overlays: readonly string[],
  io: Io,
  request: (bundle: string, overlays: string[]) => Promise<T>,
): Promise<{ answer: T; typed: Map<string, string> }> {
  const typed = new Map([file, ...overlays].map((f) => [resolve(f), f]));
  try {
    return {
      answer: await request(
        resolve(file),
        overlays.map((o) => resolve(o)),
      ),
      typed,
    };
  } catch (e) {
    const refused = ['BundleInvalidError', 'FileReadError'];
    if (e instanceof ControllerRequestError && refused.includes(e.type)) {
      await validateHere(file, overlays, io);
    }
    throw e;
  }
}
