// Typed errors of core/interfaces (STYLE.md practice 4): relation data that breaks its
// interface's schema. Messages name relation, owner and key, and never a secret's value.
import { RuneError } from '../model/errors.js';
import type { DatabagProblem } from './types.js';

/** `relation etcd:db - kubernetes-master:etcd, unit etcd/0, key connection_string: must be …` */
export function formatProblem(problem: DatabagProblem): string {
  const owner = problem.scope === 'unit' ? `unit ${problem.owner}` : `application ${problem.owner}`;
  return `relation ${problem.relation}, ${owner}, key ${problem.key}: ${problem.message}`;
}

/** Relation data written or read that its interface's schema refuses (DESIGN §7). */
export class RelationDataError extends RuneError {
  readonly kind = 'user';

  constructor(readonly problems: readonly DatabagProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}
