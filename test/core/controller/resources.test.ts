// attach-resource on the controller side, over a real store: each revision's file kept under its
// own name, the units moved in a rollout with the application's own policy, and a bad request
// (an undeclared resource, a bad policy) leaving the store and the folder as they were.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileConfigSchema, type Charm } from '../../../core/charm/index.js';
import { attachResources } from '../../../core/controller/resources.js';
import { RolloutError } from '../../../core/controller/rollout-policy.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';

const OP: Charm = {
  meta: {
    name: 'op',
    summary: '',
    description: '',
    subordinate: false,
    endpoints: [],
    resources: { payload: { name: 'payload', filename: 'payload.txt', description: '' } },
  },
  config: { options: {}, schema: compileConfigSchema({}) },
  actions: {},
  dir: '(defined in the test)',
};

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'rune-attach-'));
  dirs.push(dir);
  const store = new SqliteStore(join(dir, 'store.db'));
  store.addApplication({
    name: 'op',
    charm: 'op',
    charmDir: dir,
    subordinate: false,
    config: {},
    constraints: '',
  });
  for (let n = 0; n < 2; n++) store.addUnit({ name: `op/${n}`, machine: String(n) });
  const resources = join(dir, 'resources');
  const attach = (text: string, extra: { name?: string; policy?: Record<string, string> } = {}) => {
    const file = join(dir, `${text}.txt`);
    writeFileSync(file, text);
    return attachResources(store, () => OP, resources, {
      application: 'op',
      files: { [extra.name ?? 'payload']: file },
      ...(extra.policy ? { policy: extra.policy } : {}),
    });
  };
  return { store, resources, attach };
}

describe('attachResources', () => {
  it('keeps each revision under its own name and rolls with the application policy', () => {
    const { store, resources, attach } = setup();
    store.setApplicationSettings('op', { 'rollout-max-in-flight': '100%' }, []);
    attach('one');
    attach('two', { policy: { canaries: '0' } });
    const file = (r: number) => store.resourceRevision('op', 'payload', r)?.file ?? '';
    const [one, two] = [file(1), file(2)];
    expect(one).not.toBe(two);
    expect([readFileSync(one, 'utf8'), readFileSync(two, 'utf8')]).toEqual(['one', 'two']);
    expect(readdirSync(join(resources, 'op')).sort()).toEqual(
      [
        `payload.${store.resourceRevision('op', 'payload', 1)?.sha256 ?? ''}`,
        `payload.${store.resourceRevision('op', 'payload', 2)?.sha256 ?? ''}`,
      ].sort(),
    );
    const [first, second] = store.rollouts();
    expect(first).toMatchObject({
      change: 'attach-resource',
      state: 'superseded',
      from: { resources: {} },
      to: { resources: { payload: 1 } },
    });
    expect(second).toMatchObject({
      state: 'running',
      from: { resources: { payload: 1 } },
      to: { resources: { payload: 2 } },
      policy: { canaries: 0, maxInFlight: { percent: 100 } },
    });
  });

  it('changes nothing when the request is bad', () => {
    const { store, resources, attach } = setup();
    expect(() => attach('one', { policy: { watch: 'soon' } })).toThrow(RolloutError);
    expect(() => attach('one', { policy: { watch: 'soon' } })).toThrow(
      '--watch must be MIN-MAX durations like 5s-5m, got "soon"',
    );
    expect(() => attach('one', { name: 'nope' })).toThrow(/declares no resource "nope"/);
    expect(store.resources('op')).toEqual([]);
    expect(store.rollouts()).toEqual([]);
    expect(existsSync(resources)).toBe(false);
  });
});
