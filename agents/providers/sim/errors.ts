// Errors of the sim provider (DESIGN §4): what a simulated machine refuses, with the machine and
// the path or service named, as a real machine's failure would be.
import { RuneError } from '../../../core/model/errors.js';

export class SimMachineError extends RuneError {
  readonly kind = 'internal';

  constructor(
    readonly machine: string,
    readonly detail: string,
  ) {
    super(`sim machine ${machine}: ${detail}`);
  }
}

export class SimMachineNotFoundError extends RuneError {
  readonly kind = 'internal';

  constructor(readonly instanceId: string) {
    super(`sim machine ${instanceId} does not exist (destroyed, or never created)`);
  }
}

/** What every call to a machine lost in the simulation (`rune sim lose-machine`) throws, as a
 * dead host's connection would. */
export class SimMachineLostError extends RuneError {
  readonly kind = 'internal';

  constructor(readonly machine: string) {
    super(`sim machine ${machine} does not answer (lost in the simulation)`);
  }
}
