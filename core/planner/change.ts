// A plan's changes (DESIGN §8, STYLE.md "a plan is data"): each has an id, the ids it requires and
// typed args; describe() is a function property, so JSON.stringify(change) is plain journal data.
import type { ConfigValues } from '../model/types.js';

export type ChangeKind =
  | 'deploy'
  | 'refresh'
  | 'setConfig'
  | 'setConstraints'
  | 'expose'
  | 'addMachine'
  | 'addRelation'
  | 'addUnit';

/** One end of a relation, as the bundle wrote it (after endpoint inference). */
export interface EndpointRef {
  application: string;
  name: string;
}

export interface AddUnitArgs {
  application: string;
  /** `etcd/3`: numbers continue from the application's nextUnitNumber, never reused. */
  unit: string;
  /** The model id of the machine the unit goes on. */
  machine: string;
  /** This change creates `machine` itself (placement `new`). */
  newMachine: boolean;
  /** `machine` was in the model before the plan (else an earlier change in this plan makes it). */
  existingMachine: boolean;
  /** The application's constraints, for the machine this change creates; only with newMachine. */
  constraints?: string;
  /** `lxd` for `lxd:...`; kept so container support can honour it later (DESIGN §8). */
  container?: string;
  /** The placement directive as written, for "to satisfy [...]". */
  directive?: string;
}

export interface ChangeArgsByKind {
  deploy: { application: string; charm: string; options: ConfigValues; constraints: string };
  refresh: { application: string; charm: string };
  /** Only the options whose value changes. */
  setConfig: { application: string; options: ConfigValues };
  setConstraints: { application: string; constraints: string };
  expose: { application: string };
  /** `machine` is the model id; `bundleMachine` the bundle's placeholder id. */
  addMachine: { machine: string; bundleMachine: string; constraints: string };
  addRelation: { endpoints: [EndpointRef, EndpointRef] };
  addUnit: AddUnitArgs;
}

/** A change as stored in a journal: everything but describe(). */
export type ChangeDataOf<K extends ChangeKind> = {
  id: string;
  kind: K;
  requires: string[];
  args: ChangeArgsByKind[K];
};

export type ChangeData = { [K in ChangeKind]: ChangeDataOf<K> }[ChangeKind];

export type ChangeOf<K extends ChangeKind> = ChangeDataOf<K> & { describe(): string };

export type Change = { [K in ChangeKind]: ChangeOf<K> }[ChangeKind];

export function changeId(kind: ChangeKind, n: number): string {
  return `${kind}-${n}`;
}

/** Builds a change of one kind with its describe(). */
export function createChange<K extends ChangeKind>(data: ChangeDataOf<K>): ChangeOf<K> {
  const change: ChangeOf<K> = {
    id: data.id,
    kind: data.kind,
    requires: data.requires,
    args: data.args,
    describe: () => describeChange(change as ChangeData),
  };
  return change;
}

/** A change read back from a journal (JSON holds no functions), with its describe() again. */
export function reviveChange(data: ChangeData): Change {
  return createChange(data) as Change;
}

/** The one-line description Juju prints for a bundle change (`rune deploy --dry-run`). */
export function describeChange(change: ChangeData): string {
  switch (change.kind) {
    case 'deploy':
      return `deploy application ${change.args.application} using charm ${change.args.charm}`;
    case 'refresh':
      return `upgrade ${change.args.application} to use charm ${change.args.charm}`;
    case 'setConfig':
      return `set application options for ${change.args.application}`;
    case 'setConstraints':
      return `set constraints for ${change.args.application} to "${change.args.constraints}"`;
    case 'expose':
      return `expose application ${change.args.application}`;
    case 'addMachine': {
      const { machine, bundleMachine } = change.args;
      const origin = machine === bundleMachine ? '' : ` (bundle machine ${bundleMachine})`;
      return `add new machine ${machine}${origin}`;
    }
    case 'addRelation': {
      const [a, b] = change.args.endpoints;
      return `add relation ${a.application}:${a.name} - ${b.application}:${b.name}`;
    }
    case 'addUnit': {
      const { unit, machine, existingMachine, directive } = change.args;
      const where = `${existingMachine ? 'existing' : 'new'} machine ${machine}`;
      return `add unit ${unit} to ${where}${satisfies(directive, machine)}`;
    }
  }
}

/**
 * Juju names the directive when the machine printed does not say it already: `lxd:0` (no
 * containers yet), a bundle machine id that became another model id, `etcd/0`. A plain `new`
 * is fully said by "new machine N", so it is left out.
 */
function satisfies(directive: string | undefined, machine: string): string {
  if (directive === undefined || directive === machine || directive === 'new') return '';
  return ` to satisfy [${directive}]`;
}
