// Store errors: a store written by a newer Rune, or a record that is not there.
import { RuneError } from '../model/errors.js';

export class SchemaVersionError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly file: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `${file} has store schema version ${found}, but this Rune knows versions up to ${supported}; ` +
        'upgrade Rune to use this controller',
    );
  }
}

export class MachineNotFoundError extends RuneError {
  readonly kind = 'user';

  constructor(readonly id: string) {
    super(`machine ${id} not found; rune status lists the machines`);
  }
}

export class ApplicationNotFoundError extends RuneError {
  readonly kind = 'user';

  constructor(readonly application: string) {
    super(`application "${application}" not found; rune status lists the applications`);
  }
}

/** Unit numbers are never reused (DESIGN §1): a name at or below one already given is refused. */
export class UnitExistsError extends RuneError {
  readonly kind = 'internal';

  constructor(
    readonly unit: string,
    readonly nextNumber: number,
  ) {
    super(`unit ${unit} was already used; the next unit number is ${nextNumber}`);
  }
}

export class CharmRevisionNotFoundError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly application: string,
    readonly revision: number,
  ) {
    super(
      `${application} has no charm revision ${revision}; rune status shows the current one ` +
        'and each refresh --path adds the next',
    );
  }
}

export class RolloutNotFoundError extends RuneError {
  readonly kind = 'internal';

  constructor(readonly id: number) {
    super(`rollout ${id} not found`);
  }
}

export class ResourceRevisionNotFoundError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly application: string,
    readonly resource: string,
    readonly revision: number,
  ) {
    super(
      `${application} has no revision ${revision} of resource ${resource}; ` +
        'each rune attach-resource adds the next',
    );
  }
}
