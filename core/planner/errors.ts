// The planner's errors. Both are internal: the validator promises a consistent bundle and the
// planner a consistent plan, so either one firing is a bug in Rune, not in the user's bundle.
import { RuneError } from '../model/errors.js';

/** The resolved bundle breaks a promise of validation (undeclared machine, unit out of range). */
export class PlanInputError extends RuneError {
  readonly kind = 'internal';

  constructor(
    readonly application: string,
    readonly problem: string,
  ) {
    super(`cannot plan ${application}: ${problem} (the bundle validator should have refused this)`);
  }
}

/** A change does not fit the model it is applied to (simulate.ts), or the plan has a cycle. */
export class PlanConsistencyError extends RuneError {
  readonly kind = 'internal';

  constructor(
    readonly change: string,
    readonly problem: string,
  ) {
    super(`change ${change}: ${problem}`);
  }
}
