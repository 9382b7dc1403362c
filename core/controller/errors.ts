// Controller errors: names, registry state, requests the controller refuses.
import { RuneError } from '../model/errors.js';
import { type Diagnostic, formatDiagnostic } from '../yaml/diagnostic.js';

export class ControllerNameError extends RuneError {
  readonly kind = 'user';

  constructor(readonly controller: string) {
    super(
      `invalid controller name "${controller}": use lowercase letters, digits and hyphens, ` +
        'starting with a letter',
    );
  }
}

export class ControllerExistsError extends RuneError {
  readonly kind = 'user';

  constructor(readonly controller: string) {
    super(`controller "${controller}" already exists; rune controllers lists them`);
  }
}

export class ControllerNotFoundError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly known: readonly string[],
  ) {
    super(
      `controller "${controller}" not found` +
        (known.length > 0 ? `; known: ${known.join(', ')}` : '; rune bootstrap creates one'),
    );
  }
}

/** The controller answered a request with an error: its message is already for the user. */
export class ControllerRequestError extends RuneError {
  constructor(
    readonly kind: 'user' | 'internal',
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export class ControllerUnreachableError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly reason: string,
  ) {
    super(
      `controller "${controller}" is not reachable (${reason}); see its log with ` +
        `rune controllers, or start it again with rune controller run ${controller}`,
    );
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

export class InvalidTargetError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly target: string,
    readonly reason: string,
  ) {
    super(`invalid target "${target}": ${reason}`);
  }
}

export class NoProviderError extends RuneError {
  readonly kind = 'user';

  constructor(readonly controller: string) {
    super(
      `controller "${controller}" makes no machines of its own (manual provider); ` +
        'add existing hosts with rune add-machine ssh:[user@]host',
    );
  }
}

export class NoCharmRuntimeError extends RuneError {
  readonly kind = 'internal';

  constructor() {
    super('this controller was built without a charm loader, so no unit can run hooks');
  }
}

export class KeyFileError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot read private key ${file}: ${reason}`);
  }
}

/** rotate-store-key must stop the controller first (store-key-rotation.ts). */
export class ControllerNotAnsweringError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly pid: number,
  ) {
    super(
      `controller "${controller}" (pid ${pid}) is running but does not answer, so it cannot be ` +
        `stopped for the key rotation; stop it (kill ${pid}) and run rotate-store-key again`,
    );
  }
}

export class NotSimCloudError extends RuneError {
  readonly kind = 'user';

  constructor(readonly controller: string) {
    super(
      `controller "${controller}" is not on the sim cloud: only simulated machines can be lost ` +
        'and healed on demand (rune bootstrap sim makes such a controller)',
    );
  }
}

export class SimulatedMachineError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly machine: string,
    readonly verb: string,
  ) {
    super(`machine ${machine} is simulated (sim cloud): it has no SSH for ${verb}`);
  }
}

/** `rune show-status-log` naming an entity the model does not have, or of another kind than
 * its --type. */
export class StatusLogEntityError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly entity: string,
    readonly problem: string,
  ) {
    super(`cannot show the status log of ${entity}: ${problem}`);
  }
}

/** A change sent to a member of a highly available controller that stands by. */
export class NotActiveMemberError extends RuneError {
  readonly kind = 'user';

  constructor(readonly member: number) {
    super(
      `controller member ${member} stands by and takes no changes; the CLI sends them to the ` +
        'active member (rune controllers shows which it is)',
    );
  }
}

/** A highly available controller runs as members: `controller run` must say which. */
export class MemberNeededError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly members: number,
  ) {
    super(
      `controller "${controller}" is highly available with ${members} members: run one with ` +
        `rune controller run ${controller} --member N (N from 0 to ${members - 1})`,
    );
  }
}

export class NoSuchMemberError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly member: number,
    readonly members: number,
  ) {
    super(
      members === 0
        ? `controller "${controller}" has no members: it is not highly available (rune enable-ha)`
        : `controller "${controller}" has no member ${member}; its members are 0 to ${members - 1}`,
    );
  }
}

export class HaMembersError extends RuneError {
  readonly kind = 'user';

  constructor(readonly members: number) {
    super(
      `enable-ha needs an odd number of members, 3 or more (got ${members}): with an even ` +
        'count, losing half leaves no majority to elect one; nothing was changed',
    );
  }
}

export class AlreadyHighlyAvailableError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly members: number,
  ) {
    super(
      `controller "${controller}" is already highly available with ${members} members; ` +
        'rune controllers shows them, and a member that is down starts again with the next ' +
        'command; nothing was changed',
    );
  }
}

export class EnableHaFailedError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly reason: unknown,
  ) {
    super(
      `enable-ha did not complete for controller "${controller}": ` +
        `${reason instanceof Error ? reason.message : String(reason)}; the controller runs ` +
        'alone as before, with its store as it was',
    );
  }
}

/** remove-machine of a manual machine that runs a member of the controller (enable-ha --to). */
export class MachineHostsMemberError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly machine: string,
    readonly member: number,
    readonly controller: string,
  ) {
    super(
      `machine ${machine} runs member ${member} of controller "${controller}" (enable-ha --to); ` +
        'removing it would take a member and its store member away; nothing was changed',
    );
  }
}
