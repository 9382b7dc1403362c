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
