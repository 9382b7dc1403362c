// Typed errors of loading a charm's code (module-loader.ts): no code file, a build that fails,
// a module that exports no charm, or handlers its metadata does not match. Each names the file.
import { RuneError } from '../model/errors.js';

/** A charm folder with metadata but no charm.ts (or charm.js / charm.mjs). */
export class CharmCodeMissingError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly dir: string,
    readonly looked: readonly string[],
  ) {
    super(
      `charm ${dir} has no code: add ${looked.join(', or ')} exporting ` +
        '`export const charm = defineCharm({ ... })`',
    );
  }
}

/** One problem esbuild (or the SDK import rule) reported, at its place in the charm's code. */
export interface CharmBuildProblem {
  /** As the user would type it (relative to where Rune runs, when inside). */
  file: string;
  line: number;
  /** 1-based, as editors count. */
  column: number;
  message: string;
}

/** A charm's code that does not build: syntax errors, unresolvable or forbidden imports. */
export class CharmBuildError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly entry: string,
    readonly problems: readonly CharmBuildProblem[],
  ) {
    super(
      problems.length === 0
        ? `cannot build ${entry}`
        : problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`).join('\n'),
    );
  }
}

/** The charm's built code threw while it was imported (e.g. defineCharm refused a handler key). */
export class CharmImportError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly entry: string,
    /** What the import threw; its stack points into the bundle, whose inline source map leads
     * back to the charm's own files. */
    readonly reason: unknown,
  ) {
    super(`loading ${entry} failed: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
}

/** A charm module that does not export what defineCharm() returns, as `charm` or default. */
export class CharmExportError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly entry: string,
    /** The names it does export. */
    readonly exported: readonly string[],
    /** Set when `charm` (or default) exists but is not a defineCharm() result. */
    readonly found?: string,
  ) {
    const has = exported.length > 0 ? exported.join(', ') : 'nothing';
    super(
      found !== undefined
        ? `${entry}: export "${found}" is not a defineCharm() result; write ` +
            '`export const charm = defineCharm({ ... })`'
        : `${entry} exports no charm (it exports ${has}); add ` +
            '`export const charm = defineCharm({ ... })`',
    );
  }
}

/** A charm module whose handlers name endpoints or actions its metadata.yaml/actions.yaml lack. */
export class CharmModuleMismatchError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly entry: string,
    readonly problems: readonly string[],
  ) {
    super(`${entry} does not match its charm's files:\n  ${problems.join('\n  ')}`);
  }
}
