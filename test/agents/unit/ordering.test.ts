// checkOrdering table tests: for each DESIGN §6 rule, a sequence that keeps it and one that breaks
// it, with the exact violation.
import { describe, expect, test } from 'vitest';
import type { Hook, LifecycleHookKind, RelationHookKind } from '../../../core/charm/hooks.js';
import type { OrderingRule, Violation } from '../../../agents/unit/ordering.js';
import { checkOrdering, describeHook } from '../../../agents/unit/ordering.js';

const UNIT = 'app/0';
const l = (kind: LifecycleHookKind): Hook => ({ kind });
const r = (kind: RelationHookKind, id: number, remoteUnit?: string): Hook => ({
  kind: `relation-${kind}` as RelationHookKind,
  relationId: id,
  endpoint: 'db',
  remoteApp: 'db',
  ...(remoteUnit === undefined ? {} : { remoteUnit }),
});
const rel = (kind: string, id: number, remoteUnit?: string): Hook =>
  r(kind as RelationHookKind, id, remoteUnit);
/** App-level -changed of a peer relation (the remote app is the unit's own). */
const OWN_APP_CHANGED: Hook = {
  kind: 'relation-changed',
  relationId: 1,
  endpoint: 'db',
  remoteApp: 'app',
};
const seq = (...hooks: Hook[]) => hooks.map((hook) => ({ unit: UNIT, hook }));

/** A started unit with relation 1 created (positions 0–4). */
const START = [
  l('install'),
  rel('created', 1),
  l('leader-settings-changed'),
  l('config-changed'),
  l('start'),
];
const JOIN = [rel('joined', 1, 'db/0'), rel('changed', 1, 'db/0')];
const TEARDOWN = [rel('departed', 1, 'db/0'), rel('broken', 1), l('stop'), l('remove')];

interface Case {
  rule: OrderingRule;
  ok: Hook[];
  bad: Hook[];
  /** The violations of `bad`: positions, then the message after `app/0: `. */
  expected: [OrderingRule, number[], string][];
}

const CASES: Case[] = [
  {
    rule: 'startup-order',
    ok: [...START, ...JOIN],
    bad: [l('install'), l('config-changed'), l('start')],
    expected: [
      [
        'startup-order',
        [1],
        'config-changed out of the new-unit order; expected relation-created, leader-elected or leader-settings-changed',
      ],
    ],
  },
  {
    rule: 'startup-order',
    ok: [l('install'), rel('created', 1), rel('broken', 1), l('remove')],
    bad: [l('install'), rel('created', 1), rel('joined', 1, 'db/0'), rel('changed', 1, 'db/0')],
    expected: [
      [
        'startup-order',
        [2],
        'db-relation-joined#1 db/0 before start; expected relation-created, leader-elected or leader-settings-changed',
      ],
      [
        'startup-order',
        [3],
        'db-relation-changed#1 db/0 before start; expected relation-created, leader-elected or leader-settings-changed',
      ],
    ],
  },
  {
    rule: 'startup-order',
    ok: [l('remove')],
    bad: [l('install'), l('leader-elected'), l('config-changed'), l('stop'), l('remove')],
    expected: [['startup-order', [3], 'stop before start; expected start']],
  },
  {
    rule: 'once',
    ok: [...START, ...JOIN, ...TEARDOWN],
    bad: [...START, l('install')],
    expected: [['once', [5, 0], 'install ran again']],
  },
  {
    rule: 'once',
    ok: [...START, rel('created', 2)],
    bad: [...START, rel('created', 2), rel('created', 1)],
    expected: [['once', [6, 1], 'db-relation-created#1 ran again']],
  },
  {
    rule: 'created-first',
    ok: [...START, rel('created', 2), rel('joined', 2, 'db/0'), rel('changed', 2, 'db/0')],
    bad: [...START, rel('joined', 2, 'db/0'), rel('changed', 2, 'db/0')],
    expected: [
      ['created-first', [5], 'db-relation-joined#2 db/0 before relation-created of relation 2'],
    ],
  },
  {
    rule: 'joined-then-changed',
    ok: [...START, ...JOIN, rel('departed', 1, 'db/0')],
    bad: [...START, rel('joined', 1, 'db/0'), rel('departed', 1, 'db/0')],
    expected: [
      [
        'joined-then-changed',
        [6, 5],
        'db-relation-departed#1 db/0 before -changed for db/0 after -joined',
      ],
    ],
  },
  {
    rule: 'joined-once',
    ok: [...START, ...JOIN, rel('changed', 1, 'db/0')],
    bad: [...START, ...JOIN, rel('joined', 1, 'db/0')],
    expected: [['joined-once', [7, 5], 'db-relation-joined#1 db/0 while db/0 is already joined']],
  },
  {
    rule: 'joined-after-departed',
    ok: [...START, ...JOIN, rel('departed', 1, 'db/0'), rel('joined', 1, 'db/1')],
    bad: [...START, ...JOIN, rel('departed', 1, 'db/0'), rel('joined', 1, 'db/0')],
    expected: [['joined-after-departed', [8, 7], 'db-relation-joined#1 db/0 after db/0 departed']],
  },
  {
    rule: 'unit-not-joined',
    ok: [...START, rel('changed', 1)],
    bad: [...START, rel('changed', 1, 'db/0')],
    expected: [
      ['unit-not-joined', [5], 'db-relation-changed#1 db/0 for db/0, which is not joined'],
    ],
  },
  {
    rule: 'departed-before-broken',
    ok: [...START, ...JOIN, rel('departed', 1, 'db/0'), rel('broken', 1)],
    bad: [...START, ...JOIN, rel('broken', 1)],
    expected: [
      ['departed-before-broken', [7, 5], 'db-relation-broken#1 while db/0 has not departed'],
    ],
  },
  {
    rule: 'after-broken',
    ok: [...START, rel('broken', 1), rel('created', 2)],
    bad: [...START, rel('broken', 1), rel('joined', 1, 'db/0')],
    expected: [['after-broken', [6, 5], "db-relation-joined#1 db/0 after the relation's -broken"]],
  },
  {
    rule: 'self-hook',
    ok: [...START, rel('joined', 1, 'app/1'), rel('changed', 1, 'app/1')],
    bad: [...START, rel('joined', 1, 'app/0'), rel('changed', 1, 'app/0')],
    expected: [
      ['self-hook', [5], 'db-relation-joined#1 app/0 is about the unit itself'],
      ['self-hook', [6], 'db-relation-changed#1 app/0 is about the unit itself'],
    ],
  },
  {
    rule: 'own-app-data',
    // A follower hears of the leader's writes to the app's peer bag; a leader never of its own.
    ok: [...START, OWN_APP_CHANGED],
    bad: [
      l('install'),
      rel('created', 1),
      l('leader-elected'),
      l('config-changed'),
      l('start'),
      OWN_APP_CHANGED,
    ],
    expected: [
      ['own-app-data', [5, 2], 'db-relation-changed#1 for the bag this leader writes itself'],
    ],
  },
  {
    rule: 'upgrade-then-config',
    ok: [...START, l('upgrade-charm'), l('config-changed'), l('update-status')],
    bad: [...START, l('upgrade-charm'), l('update-status')],
    expected: [
      [
        'upgrade-then-config',
        [6, 5],
        'update-status after upgrade-charm, before its config-changed',
      ],
    ],
  },
  {
    rule: 'broken-before-stop',
    ok: [...START, rel('broken', 1), l('stop'), l('remove')],
    bad: [...START, l('stop'), l('remove')],
    expected: [['broken-before-stop', [5, 1], 'stop while relation 1 is not broken']],
  },
  {
    rule: 'broken-before-stop',
    ok: [l('install'), rel('created', 1), rel('broken', 1), l('remove')],
    bad: [l('install'), rel('created', 1), l('remove')],
    expected: [['broken-before-stop', [2, 1], 'remove while relation 1 is not broken']],
  },
  {
    rule: 'after-stop',
    ok: [...START, rel('broken', 1), l('stop'), l('remove')],
    bad: [...START, rel('broken', 1), l('stop'), l('config-changed'), l('remove')],
    expected: [['after-stop', [7, 6], 'config-changed after stop; only remove may follow']],
  },
  {
    rule: 'after-remove',
    ok: [...START, rel('broken', 1), l('stop'), l('remove')],
    bad: [...START, rel('broken', 1), l('stop'), l('remove'), l('update-status')],
    expected: [['after-remove', [8, 7], 'update-status after remove, which must be the last hook']],
  },
  {
    rule: 'update-status-idle',
    ok: [...START, ...JOIN, l('update-status')],
    bad: [...START, rel('joined', 1, 'db/0'), l('update-status'), rel('changed', 1, 'db/0')],
    expected: [
      ['update-status-idle', [6, 5], 'update-status between -joined and -changed of db/0'],
    ],
  },
];

function expectedViolations(bad: Hook[], expected: Case['expected']): Violation[] {
  return expected.map(([rule, positions, message]) => ({
    unit: UNIT,
    rule,
    positions,
    hooks: positions.map((p) => describeHook(bad[p] ?? l('install'))),
    message: `${UNIT}: ${message}`,
  }));
}

describe('checkOrdering', () => {
  test.each(CASES)('$rule: kept', ({ ok }) => {
    expect(checkOrdering(seq(...ok))).toEqual([]);
  });

  test.each(CASES)('$rule: broken', ({ bad, expected }) => {
    expect(checkOrdering(seq(...bad))).toEqual(expectedViolations(bad, expected));
  });

  test('describes hooks as name#relation unit', () => {
    expect(describeHook(rel('joined', 3, 'db/0'))).toBe('db-relation-joined#3 db/0');
    expect(describeHook(rel('changed', 3))).toBe('db-relation-changed#3');
    expect(describeHook(l('install'))).toBe('install');
  });

  test('a re-run hook (at least once) repeats back to back and counts once', () => {
    const hooks = [l('install'), l('install'), ...START.slice(1), ...JOIN, ...JOIN.slice(1)];
    expect(checkOrdering(seq(...hooks))).toEqual([]);
  });

  test('units are checked separately; positions index the whole sequence', () => {
    const a = START.map((hook) => ({ unit: 'app/0', hook }));
    const b = [l('install'), l('start')].map((hook) => ({ unit: 'app/1', hook }));
    const mixed = [a[0], b[0], a[1], a[2], b[1], a[3], a[4]].flatMap((e) => (e ? [e] : []));
    expect(checkOrdering(mixed)).toEqual([
      {
        unit: 'app/1',
        rule: 'startup-order',
        positions: [4],
        hooks: ['start'],
        message:
          'app/1: start out of the new-unit order; expected relation-created, leader-elected or leader-settings-changed',
      },
    ]);
  });
});
