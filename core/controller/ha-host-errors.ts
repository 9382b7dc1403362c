// Typed errors of enable-ha --to (ha-hosts.ts): members placed on other hosts. Each names the
// machine and its address and says what to do; none carries a key, token or certificate.
import { RuneError } from '../model/errors.js';

/** `--to` must place every member but the one on this host: N - 1 machines. */
export class HaPlacementCountError extends RuneError {
  readonly kind = 'user';
  constructor(
    readonly members: number,
    readonly given: number,
  ) {
    super(
      `enable-ha -n ${members} --to needs ${members - 1} machines (member 0 stays on this ` +
        `host, one member per other machine), got ${given}; nothing was changed`,
    );
  }
}

/** A `--to` entry that is no machine a member can go on. */
export class HaPlacementMachineError extends RuneError {
  readonly kind = 'user';
  constructor(
    readonly machine: string,
    readonly why: string,
  ) {
    super(`enable-ha --to ${machine}: ${why}; nothing was changed`);
  }
}

/** Members on other hosts run the model from there: only machines any host reaches will do. */
export class HaPlacementProviderError extends RuneError {
  readonly kind = 'user';
  constructor(
    readonly controller: string,
    readonly provider: string,
  ) {
    super(
      `enable-ha --to places members on manual machines, and controller "${controller}" is a ` +
        `${provider} controller: its machines live on this host, so its members do too ` +
        '(rune enable-ha without --to); nothing was changed',
    );
  }
}

/** The host did not answer over SSH (or refused the pinned key). */
export class HaHostUnreachableError extends RuneError {
  readonly kind = 'user';
  constructor(
    readonly machine: string,
    readonly address: string,
    readonly detail: string,
  ) {
    super(
      `machine ${machine} (${address}) cannot take a controller member: ${detail}; check that ` +
        'it is up and reachable (rune status shows it), or choose another machine',
    );
  }
}

/** Something a member needs is not on the host: Rune itself, Node.js or etcd. */
export class HaHostMissingError extends RuneError {
  readonly kind = 'user';
  constructor(
    readonly machine: string,
    readonly address: string,
    readonly missing: string,
    readonly remedy: string,
  ) {
    super(`machine ${machine} (${address}) has no ${missing}: ${remedy}`);
  }
}

/** A step on the host failed (writing files, starting etcd or the member). */
export class HaHostStepError extends RuneError {
  readonly kind = 'user';
  constructor(
    readonly machine: string,
    readonly address: string,
    readonly step: string,
    readonly detail: string,
  ) {
    super(`machine ${machine} (${address}): ${step} failed: ${detail}`);
  }
}
