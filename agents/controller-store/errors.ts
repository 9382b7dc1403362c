// Typed errors of the controller's own etcd cluster (STYLE.md practice 4): each carries the facts
// (member, log file, the log's last lines) and says what the user can do about it.
import { RuneError } from '../../core/model/errors.js';

/** No etcd binary to run the store's members with. */
export class StoreEtcdMissingError extends RuneError {
  readonly kind = 'user';
  constructor(
    readonly looked: string,
    readonly detail?: string,
  ) {
    super(
      `the controller's store cluster needs etcd, and ${looked} was not found` +
        (detail ? ` (${detail})` : '') +
        '; install it with `apt-get install etcd-server` (or run the controller as root, ' +
        'which installs it)',
    );
  }
}

/** A store cluster has an odd number of members, three or more, so a majority survives a loss. */
export class StoreClusterSizeError extends RuneError {
  readonly kind = 'user';
  constructor(readonly members: number) {
    super(
      `a store cluster needs an odd number of members, 3 or more, got ${members}: ` +
        'with an even number one more member buys no more tolerance of failures',
    );
  }
}

/** createStoreCluster was pointed at a directory that already holds something. */
export class StoreClusterExistsError extends RuneError {
  readonly kind = 'user';
  constructor(readonly dir: string) {
    super(
      `${dir} is not empty: it may hold a running store cluster's data and certificates; ` +
        'stop and remove that cluster first, or choose another directory',
    );
  }
}

/**
 * A member exited while starting, or did not answer its health endpoint by its deadline. `running`:
 * its process is still there, which etcd does until a majority of members run.
 */
export class StoreMemberStartError extends RuneError {
  readonly kind = 'user';
  constructor(
    readonly member: string,
    readonly logFile: string,
    readonly detail: string,
    readonly lastLog: string,
    readonly running = false,
  ) {
    super(
      `store member ${member} did not start: ${detail}` +
        (running
          ? '\nits etcd runs but serves only once a majority of the members run: start the others'
          : '') +
        (lastLog.trim() === '' ? '' : `\nlast lines of its log:\n${lastLog.trimEnd()}`) +
        `\n(its log: ${logFile})`,
    );
  }
}

/** A member's process outlived SIGTERM and SIGKILL (a process stuck in the kernel). */
export class StoreMemberStopError extends RuneError {
  readonly kind = 'internal';
  constructor(
    readonly member: string,
    readonly pid: number,
  ) {
    super(`store member ${member} (pid ${pid}) did not exit after SIGKILL`);
  }
}
