// Which recorded state rollback restores, and each refusal (issue 14 item 7), from revisions as
// data: no store, no charm. Pure.
import { describe, expect, it } from 'vitest';
import { RollbackRefusedError, rollbackTarget } from '../../../core/controller/rollback-target.js';
import type {
  ApplicationChange,
  ModelRevisionRecord,
  RecordedSpec,
} from '../../../core/store/history-types.js';

const spec = (port: number, charmRevision = 1): RecordedSpec => ({
  charmRevision,
  config: { port },
  secrets: [],
  resources: {},
});

function rev(revision: number, change: Omit<ApplicationChange, 'application'>, s?: RecordedSpec) {
  const record: ModelRevisionRecord = {
    revision,
    at: '',
    command: '',
    applications: ['etcd'],
    changes: [{ application: 'etcd', ...change }],
    specs: s ? { etcd: s } : {},
  };
  return record;
}

const DEPLOYED = { added: { application: { charm: 'etcd', charmRevision: 1 } } };
// 1 deploy (port 1), 3 config (port 2), 4 add-unit, 6 refresh (charm 2); 2 and 5 touched others.
const HISTORY = [
  rev(1, DEPLOYED, spec(1)),
  rev(3, { config: { changed: { port: [1, 2] } } }, spec(2)),
  rev(4, { added: { units: ['etcd/2'] } }, spec(2)),
  rev(6, { charmRevision: [1, 2] }, spec(2, 2)),
];

const target = (to: number | undefined, revisions = HISTORY, current = spec(2, 2)) =>
  rollbackTarget({
    application: 'etcd',
    revisions,
    latest: 6,
    current,
    ...(to === undefined ? {} : { to }),
  });

describe('rollbackTarget', () => {
  it('without --to: the state before the latest change of charm, config or resources', () => {
    expect(target(undefined)).toEqual({ revision: 4, spec: spec(2) });
    // The latest change was a config one (3), add-unit after it changes no spec.
    expect(target(undefined, HISTORY.slice(0, 3), spec(2))).toEqual({ revision: 1, spec: spec(1) });
  });

  it('with --to: the state that revision left', () => {
    expect(target(1)).toEqual({ revision: 1, spec: spec(1) });
    expect(target(3)).toEqual({ revision: 3, spec: spec(2) });
  });

  it.each([
    [7, 'model revision 7 is in the future: the latest is 6'],
    [0, 'there is no model revision 0: they are numbered from 1, and the latest is 6'],
    [5, 'model revision 5 did not touch etcd; the revisions that did: 1, 3, 4, 6'],
    [
      6,
      'it is already as model revision 6 left it (charm revision 2, the same config and resources)',
    ],
  ])('refuses --to %i', (to, reason) => {
    expect(() => target(to)).toThrow(new RollbackRefusedError('etcd', reason));
  });

  it('refuses an application with nothing to roll back to', () => {
    expect(() => target(undefined, HISTORY.slice(0, 1), spec(1))).toThrow(
      'cannot roll back etcd: nothing to roll back to: its charm, config and resources have not ' +
        'changed since model revision 1',
    );
    expect(() => target(undefined, [], spec(1))).toThrow(/no recorded change of it/);
  });

  it("never goes back into an earlier deployment's life under the same name", () => {
    const again = [
      ...HISTORY,
      rev(7, { removed: { application: true } }),
      rev(8, DEPLOYED, spec(5)),
      rev(9, { config: { changed: { port: [5, 6] } } }, spec(6)),
    ];
    expect(target(undefined, again, spec(6))).toEqual({ revision: 8, spec: spec(5) });
    expect(() => target(3, again, spec(6))).toThrow(
      'model revision 3 is from before etcd was deployed again at model revision 8; ' +
        'its revisions since: 8, 9',
    );
  });
});
