// Typed errors of the Kubernetes charms' shared helpers: each carries its facts and builds its
// message. A hook that throws one is retried with backoff (DESIGN §6); operator problems are
// `blocked` statuses instead, never errors.
import { RuneError } from 'rune/charm';
import { excerpt } from './excerpt.js';

/** A machine command that must succeed did not; the hook fails and is retried. */
export class CommandFailedError extends RuneError {
  readonly kind = 'internal';

  constructor(
    readonly operation: string,
    readonly code: number,
    readonly stderr: string,
  ) {
    const detail = excerpt(stderr);
    super(`${operation} failed (exit ${code})${detail === '' ? '' : `: ${detail}`}`);
  }
}
