// What a unit sees of its application while a rollout runs (DESIGN §11): a unit not yet reached
// keeps the old charm, config and resource revisions; a moved or new unit sees the current ones.
import { describe, expect, it } from 'vitest';
import {
  applicationAsSeen,
  applicationSpec,
  resourcesAsSeen,
} from '../../../core/store/application-view.js';
import type {
  ApplicationRecord,
  ResourceRecord,
  RolloutRecord,
} from '../../../core/store/types.js';

const app: ApplicationRecord = {
  name: 'op',
  charm: 'op',
  charmDir: '/charms/op-v2',
  charmRevision: 2,
  subordinate: false,
  config: { port: 2 },
  constraints: '',
  exposed: false,
  life: 'alive',
  nextUnitNumber: 4,
};

const resource = (name: string, revision: number): ResourceRecord => ({
  application: 'op',
  name,
  file: `/r/${name}.${revision}`,
  sha256: String(revision),
  size: 1,
  revision,
  attachedAt: 't',
});
const current = [resource('bin', 3), resource('payload', 2)];

const rollout: RolloutRecord = {
  id: 1,
  application: 'op',
  change: 'attach-resource',
  from: { charmRevision: 1, charmDir: '/charms/op', config: { port: 1 }, resources: { bin: 3 } },
  to: applicationSpec(app, current),
  policy: { canaries: 1, maxInFlight: { count: 1 }, watchMinMs: 0, watchMaxMs: 1 },
  state: 'running',
  message: '',
  units: [
    { unit: 'op/0', state: 'updated', before: 'active' },
    { unit: 'op/1', state: 'waiting', before: 'active' },
    {
      unit: 'op/2',
      state: 'waiting',
      before: 'active',
      // Left behind by an earlier, superseded rollout.
      from: { charmRevision: 1, charmDir: '/charms/op', config: {}, resources: { bin: 1 } },
    },
  ],
  startedAt: 't',
};

describe('application as a unit sees it', () => {
  it('gives a unit not yet reached the old resource revisions, a moved one the current', () => {
    expect(resourcesAsSeen('op', current, rollout, 'op/0')).toEqual({ bin: 3, payload: 2 });
    // payload was attached for the first time by this rollout: op/1 has none yet.
    expect(resourcesAsSeen('op', current, rollout, 'op/1')).toEqual({ bin: 3 });
    expect(resourcesAsSeen('op', current, rollout, 'op/2')).toEqual({ bin: 1 });
    // A unit added since the rollout began starts on the current ones.
    expect(resourcesAsSeen('op', current, rollout, 'op/3')).toEqual({ bin: 3, payload: 2 });
    expect(resourcesAsSeen('op', current, undefined, 'op/1')).toEqual({ bin: 3, payload: 2 });
  });

  it('gives a unit not yet reached the old charm revision, which status shows for it', () => {
    expect(applicationAsSeen(app, rollout, 'op/1')).toMatchObject({
      charmRevision: 1,
      config: { port: 1 },
    });
    expect(applicationAsSeen(app, rollout, 'op/0').charmRevision).toBe(2);
    expect(applicationAsSeen(app, { ...rollout, application: 'other' }, 'op/1')).toBe(app);
  });

  it('takes the spec of the application as the store has it', () => {
    expect(applicationSpec(app, current)).toEqual({
      charmRevision: 2,
      charmDir: '/charms/op-v2',
      config: { port: 2 },
      resources: { bin: 3, payload: 2 },
    });
  });
});
