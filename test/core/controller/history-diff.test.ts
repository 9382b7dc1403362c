// The diff a revision records and the line history prints for it: pure, from two model views.
// Secret option values never come out, on either side of a change.
import { describe, expect, it } from 'vitest';
import {
  type ApplicationView,
  changesSpec,
  diffViews,
  recordedSpec,
  summarize,
} from '../../../core/controller/history-diff.js';

const etcd = (over: Partial<ApplicationView> = {}): ApplicationView => ({
  charm: 'etcd',
  charmRevision: 1,
  config: { port: 2379 },
  resources: {},
  units: ['etcd/0', 'etcd/1'],
  relations: ['etcd:cluster'],
  ...over,
});

describe('diffViews', () => {
  it('says nothing of an unchanged model', () => {
    expect(diffViews({ etcd: etcd() }, { etcd: etcd() })).toEqual([]);
  });

  it('gives config added, changed and removed (reset) with values', () => {
    const before = etcd({ config: { port: 2379, motd: 'hi' } });
    const after = etcd({ config: { port: 2380, debug: true } });
    expect(diffViews({ etcd: before }, { etcd: after })).toEqual([
      {
        application: 'etcd',
        config: {
          added: { debug: true },
          changed: { port: [2379, 2380] },
          removed: { motd: 'hi' },
        },
      },
    ]);
  });

  it('redacts secret values on both sides, and says a secret changed without saying how', () => {
    const before = etcd({ config: { 'admin-password': 'old', 'auth-token': 'abc' } });
    const after = etcd({ config: { 'admin-password': 'new', 'client-secret': 'x y' } });
    const [change] = diffViews({ etcd: before }, { etcd: after });
    expect(change?.config).toEqual({
      added: { 'client-secret': '[redacted]' },
      changed: { 'admin-password': ['[redacted]', '[redacted]'] },
      removed: { 'auth-token': '[redacted]' },
    });
    expect(JSON.stringify(change)).not.toMatch(/old|new|abc|x y/);
  });

  it('gives charm revision, resources, units and relations', () => {
    const before = etcd({ resources: { core: 1 } });
    const after = etcd({
      charmRevision: 2,
      resources: { core: 2, snap: 1 },
      units: ['etcd/1', 'etcd/3'],
      relations: ['etcd:cluster', 'etcd:db - kube:etcd'],
    });
    expect(diffViews({ etcd: before }, { etcd: after })).toEqual([
      {
        application: 'etcd',
        charmRevision: [1, 2],
        resources: { core: [1, 2], snap: [null, 1] },
        added: { units: ['etcd/3'], relations: ['etcd:db - kube:etcd'] },
        removed: { units: ['etcd/0'] },
      },
    ]);
  });

  it('gives a deployed application with what it came with, and a removed one with what went', () => {
    const easyrsa: ApplicationView = { ...etcd(), charm: 'easyrsa', units: ['easyrsa/0'] };
    expect(diffViews({ etcd: etcd() }, { easyrsa })).toEqual([
      {
        application: 'easyrsa',
        added: {
          application: { charm: 'easyrsa', charmRevision: 1 },
          units: ['easyrsa/0'],
          relations: ['etcd:cluster'],
        },
      },
      {
        application: 'etcd',
        removed: { application: true, units: ['etcd/0', 'etcd/1'], relations: ['etcd:cluster'] },
      },
    ]);
  });
});

describe('recordedSpec', () => {
  it('keeps the charm revision, resources and options, naming secret options only', () => {
    const app = etcd({ config: { port: 1, 'admin-password': 'pw' }, resources: { core: 3 } });
    expect(recordedSpec(app)).toEqual({
      charmRevision: 1,
      config: { port: 1 },
      secrets: ['admin-password'],
      resources: { core: 3 },
    });
  });
});

describe('changesSpec', () => {
  it('is true for charm, config or resource changes, not for units or relations', () => {
    expect(changesSpec({ application: 'a', charmRevision: [1, 2] })).toBe(true);
    expect(changesSpec({ application: 'a', config: { added: { x: 1 } } })).toBe(true);
    expect(changesSpec({ application: 'a', resources: { r: [null, 1] } })).toBe(true);
    expect(changesSpec({ application: 'a', added: { units: ['a/1'] } })).toBe(false);
  });
});

describe('summarize', () => {
  it.each([
    [
      [{ application: 'etcd', config: { changed: { port: [2379, 2380] } } }],
      'etcd: port 2379→2380',
    ],
    [
      [{ application: 'etcd', config: { added: { motd: 'hi there' }, removed: { debug: true } } }],
      'etcd: motd="hi there", debug reset',
    ],
    [[{ application: 'etcd', charmRevision: [1, 2] }], 'etcd: charm r1→r2'],
    [
      [{ application: 'etcd', resources: { core: [null, 1], snap: [1, 2] } }],
      'etcd: resource core r1, resource snap r1→r2',
    ],
    [[{ application: 'etcd', added: { units: ['etcd/3', 'etcd/4'] } }], 'etcd: +etcd/3 +etcd/4'],
    [[{ application: 'etcd', removed: { units: ['etcd/0'] } }], 'etcd: -etcd/0'],
    [
      [
        { application: 'a', added: { relations: ['a:db - b:db'] } },
        { application: 'b', added: { relations: ['a:db - b:db'] } },
      ],
      '+relation a:db - b:db',
    ],
    [
      [
        {
          application: 'etcd',
          added: {
            application: { charm: 'etcd', charmRevision: 1 },
            units: ['etcd/0', 'etcd/1', 'etcd/2'],
            relations: ['etcd:cluster', 'etcd:db - k:etcd', 'etcd:certificates - e:client'],
          },
        },
      ],
      'etcd: deployed charm etcd r1 with 3 units; +3 relations',
    ],
  ] as const)('%j', (changes, line) => {
    expect(summarize(changes as unknown as Parameters<typeof summarize>[0])).toBe(line);
  });
});
