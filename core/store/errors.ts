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

/** A store's secret values are sealed with a key (store-key.ts) this process does not have. */
export class StoreKeyMissingError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly file: string,
    readonly keyFile: string,
    readonly keyId: string,
  ) {
    super(
      `${file} is encrypted with store key ${keyId}, but its key file ${keyFile} is missing; ` +
        'restore that file from your backup (docs/store-key.md): without it the relation data, ' +
        'leader settings and charm state in this store cannot be read',
    );
  }
}

export class StoreKeyMismatchError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly file: string,
    readonly keyFile: string,
    readonly expectedId: string,
    readonly foundId: string,
  ) {
    super(
      `${file} is encrypted with store key ${expectedId}, but ${keyFile} holds key ${foundId}; ` +
        `put back the key file backed up with this store (docs/store-key.md)`,
    );
  }
}

export class StoreKeyFileError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly keyFile: string,
    readonly problem: string,
  ) {
    super(`store key file ${keyFile} ${problem}; restore it from your backup (docs/store-key.md)`);
  }
}

/** A sealed value that does not open: another key's, or damaged. Never garbage in its place. */
export class StoreDecryptError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly where: string,
    readonly keyId: string,
    readonly valueKeyId?: string,
  ) {
    super(
      valueKeyId === undefined
        ? `a value in ${where} does not decrypt with store key ${keyId}: the store is damaged ` +
            'or was sealed with another key file (docs/store-key.md)'
        : `a value in ${where} is sealed with store key ${valueKeyId}, not the current key ` +
            `${keyId}; put back the key file backed up with this store (docs/store-key.md)`,
    );
  }
}

/** The replicated store's etcd did not answer (HA, DESIGN §3): the write did not happen. */
export class StoreUnreachableError extends RuneError {
  readonly kind = 'internal';

  constructor(
    readonly endpoints: readonly string[],
    readonly reason: unknown,
  ) {
    super(
      `the controller's store (etcd at ${endpoints.join(', ')}) did not answer: ` +
        `${reason instanceof Error ? reason.message : String(reason)}; nothing was written`,
    );
  }
}

/** Another controller member appended to the store's log: this one is no longer the writer. */
export class StoreFencedError extends RuneError {
  readonly kind = 'internal';

  constructor(
    readonly expectedHead: number,
    readonly head: number,
  ) {
    super(
      `another controller member is writing the model (log at ${head}, this member at ` +
        `${expectedHead}); this member stands by`,
    );
  }
}

/** A write on a member that stands by: only the active member changes the model. */
export class StoreReadOnlyError extends RuneError {
  readonly kind = 'user';

  constructor(readonly method: string) {
    super(
      `this controller member stands by and cannot ${method}; ` +
        'send changes to the active member (rune controllers shows which it is)',
    );
  }
}

/** A log entry not sealed with the store key was not written by a member of this controller. */
export class LogEntryUnsealedError extends RuneError {
  readonly kind = 'internal';

  constructor(readonly seq: number) {
    super(
      `entry ${seq} of the store's log is not sealed with this controller's store key; ` +
        'something other than a member of this controller wrote it, and it is not applied',
    );
  }
}

/** Replaying the log wrote something else than the active member did: this replica is unusable. */
export class ReplicaDivergedError extends RuneError {
  readonly kind = 'internal';

  constructor(
    readonly file: string,
    readonly seq: number,
    readonly reason: unknown,
  ) {
    super(
      `${file} cannot apply entry ${seq} of the store's log ` +
        `(${reason instanceof Error ? reason.message : String(reason)}); ` +
        'remove that file and restart this member to rebuild it from the log',
    );
  }
}

/** enable-ha moves a store into an empty log only: this prefix already holds a model. */
export class StoreLogNotEmptyError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly prefix: string,
    readonly head: number,
  ) {
    super(
      `etcd already holds a controller store under ${prefix} (${head} entries); ` +
        'a store is moved into etcd once, into an empty place',
    );
  }
}

/** A member pointed at a place in etcd that holds another controller's store, or none. */
export class StoreOwnerError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly prefix: string,
    readonly expected: string,
    readonly found: string | null,
  ) {
    super(
      found === null
        ? `etcd holds no controller store under ${prefix}, where controller ${expected} keeps ` +
            'its own: this member is pointed at the wrong etcd cluster; nothing was changed'
        : `the store under ${prefix} in etcd belongs to controller ${found}, not ${expected}; ` +
            "this member is pointed at another controller's store; nothing was changed",
    );
  }
}
