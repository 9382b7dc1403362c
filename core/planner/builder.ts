// Accumulates a plan's changes in creation order: the plan-wide id counter and the model machine
// ids handed out as changes are created (DESIGN §1: machine ids are never reused).
import {
  type Change,
  type ChangeArgsByKind,
  type ChangeKind,
  type ChangeOf,
  changeId,
  createChange,
} from './change.js';

export class PlanBuilder {
  readonly changes: Change[] = [];
  private nextMachine: number;

  constructor(nextMachineId: number) {
    this.nextMachine = nextMachineId;
  }

  /** The id the next change of `kind` will get, `offset` changes from now. */
  peekId(kind: ChangeKind, offset = 0): string {
    return changeId(kind, this.changes.length + offset);
  }

  add<K extends ChangeKind>(kind: K, requires: string[], args: ChangeArgsByKind[K]): ChangeOf<K> {
    const change = createChange<K>({
      id: changeId(kind, this.changes.length),
      kind,
      requires,
      args,
    });
    this.changes.push(change as Change);
    return change;
  }

  allocateMachine(): string {
    return String(this.nextMachine++);
  }
}
