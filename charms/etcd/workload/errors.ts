// Typed errors of the etcd charm's workload layer: each carries the facts (operation, exit code,
// the output that did not parse) and builds its message. Nothing here runs a command.
import { RuneError } from 'rune/charm';
import { excerpt as shorten } from '../../lib/excerpt.js';

export abstract class EtcdWorkloadError extends RuneError {}

/**
 * At most 200 characters of command output. etcdctl 3.4 logs client retries to stderr as JSON
 * lines before its one `Error: ...` line; that line says what went wrong, so it is quoted alone.
 */
function excerpt(text: string): string {
  return shorten(text, { limit: 200, line: /^Error:/ });
}

/** etcdctl exited non-zero for an operation whose output means nothing on failure. */
export class EtcdctlFailedError extends EtcdWorkloadError {
  readonly kind = 'internal';

  constructor(
    readonly operation: string,
    readonly code: number,
    readonly stderr: string,
  ) {
    super(
      `etcdctl ${operation} failed with exit code ${code}: ${excerpt(stderr) || '(no output)'}`,
    );
  }
}

/** etcdctl succeeded but printed something this etcd version's parser does not understand. */
export class EtcdctlOutputError extends EtcdWorkloadError {
  readonly kind = 'internal';

  constructor(
    readonly operation: string,
    readonly problem: string,
    readonly output: string,
  ) {
    super(
      `cannot read the output of etcdctl ${operation}: ${problem}; got ${JSON.stringify(excerpt(output))}`,
    );
  }
}

/** An etcdctl operation asked for something etcdctl cannot do (a bug in the caller). */
export class EtcdctlUsageError extends EtcdWorkloadError {
  readonly kind = 'internal';

  constructor(
    readonly operation: string,
    readonly problem: string,
  ) {
    super(`etcdctl ${operation}: ${problem}`);
  }
}

/** A machine command the charm needs (install, probe, extract, health wait) failed. */
export class EtcdCommandError extends EtcdWorkloadError {
  readonly kind = 'internal';

  constructor(
    readonly operation: string,
    readonly code: number,
    readonly stderr: string,
  ) {
    super(`${operation} failed with exit code ${code}: ${excerpt(stderr) || '(no output)'}`);
  }
}

/** An action that cannot run as asked (wrong cluster size, a relative path, no member yet). */
export class EtcdActionError extends EtcdWorkloadError {
  readonly kind = 'user';
}
