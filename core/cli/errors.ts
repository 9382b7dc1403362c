// Errors the CLI raises itself: bad usage, no controller, a verb not in this build. main.ts maps each
// to its exit code (DESIGN §10: 1 failed or invalid, 2 usage, 3 no controller).
import { RuneError } from '../model/errors.js';

export class UsageError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly problem: string,
    readonly usage: string,
  ) {
    super(`${problem}\nusage: ${usage}`);
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

/** --config values that do not fit the charm's config.yaml: every problem, one per line. */
export class ConfigValueError extends RuneError {
  readonly kind = 'user';

  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** `rune charm init` into a folder that holds something already: nothing is overwritten. */
export class CharmInitTargetError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly dir: string,
    readonly problem: 'a-file' | 'not-empty',
    readonly entries: readonly string[] = [],
  ) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', ...' : '');
    super(
      problem === 'a-file'
        ? `cannot create a charm in "${dir}": it is a file`
        : `cannot create a charm in "${dir}": the folder is not empty (${shown}); ` +
            'name a new or empty folder',
    );
  }
}

/** `rune export-bundle --output FILE` could not write FILE. */
export class OutputFileError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot write ${file}: ${reason}`);
  }
}

/**
 * Exit 3: the controller's process is there (it holds the store) but did not answer in time,
 * and starting a second one beside it would break the store (issue 15 item 7).
 */
export class ControllerUnresponsiveError extends NoControllerError {
  constructor(
    controller: string,
    readonly pid: number | undefined,
    readonly stopped: boolean,
    waitedMs: number,
    lockFile: string,
  ) {
    const who = pid === undefined ? `a process (fuser ${lockFile} names it)` : `pid ${pid}`;
    const shown = pid === undefined ? 'PID' : String(pid);
    super(
      controller,
      stopped
        ? `controller "${controller}" (${who}) is stopped (SIGSTOP) and cannot answer; ` +
            `resume it with kill -CONT ${shown}, or end it with kill -9 ${shown} and run the ` +
            'command again to start a new one'
        : `controller "${controller}" (${who}) is running but did not answer within ` +
            `${(waitedMs / 1000).toFixed(0)} s; it may be busy or starting: wait and try again, ` +
            `or if it hangs, end it with kill ${shown} (kill -9 ${shown} if it stays) and run ` +
            'the command again to start a new one',
    );
  }
}

/** `rune scp UNIT:PATH` naming a unit the model does not have, or one with no machine of its own. */
export class ScpTargetError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly target: string,
    readonly problem: string,
  ) {
    super(`cannot copy to or from ${target}: ${problem}`);
  }
}

/** A flag given a value it cannot take (`-n 0`, `--format xml`): the request is invalid (exit 1),
 * said in one line, unlike a malformed command line (UsageError, exit 2). */
export class FlagValueError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly flag: string,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`${flag} must be ${expected}, got "${got}"`);
  }
}
