// Typed errors of the Kubernetes charms' shared helpers: each carries its facts and builds its
// message. A hook that throws one is retried with backoff (DESIGN §6); operator problems are
// `blocked` statuses instead, never errors.
import { RuneError } from '../../core/charm/index.js';

/** At most this many characters of a command's output are quoted in a message. */
const EXCERPT = 300;

function excerpt(text: string): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT)}…` : flat;
}

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
