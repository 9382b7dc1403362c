// Errors the CLI raises itself: bad usage, an invalid bundle, no controller. main.ts maps each
// to its exit code (DESIGN §10: 1 failed or invalid, 2 usage, 3 no controller).
import { RuneError } from '../model/errors.js';
import { type Diagnostic, formatDiagnostic } from '../yaml/diagnostic.js';

export class UsageError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly problem: string,
    readonly usage: string,
  ) {
    super(`${problem}\nusage: ${usage}`);
  }
}

export class BundleInvalidError extends RuneError {
  readonly kind = 'user';

  constructor(readonly diagnostics: readonly Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.length - errors;
    const lines = diagnostics.map(formatDiagnostic);
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    lines.push(`bundle is invalid: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
    super(lines.join('\n'));
  }
}

export class FileReadError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot read ${file}: ${reason}`);
  }
}

/** Exit 3 (DESIGN §10): the controller could not be found or started. */
export class NoControllerError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** A verb whose work needs a part of Rune this build does not have yet. */
export class NotYetError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly what: string,
    readonly instead: string,
  ) {
    super(`${what} is not in this build of Rune yet; ${instead}`);
  }
}
