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
