// Which policy a rollout uses (issue 14): each field from the change's flags, else the
// application's own policy (set-rollout-policy), else model-config, else the defaults; a bad
// value is refused with the flag's message and leaves everything unchanged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RolloutError, rolloutPolicy } from '../../../core/controller/rollout-policy.js';
import { policyFor } from '../../../core/controller/rollouts.js';
import { rolloutPolicyView, setRolloutPolicy } from '../../../core/controller/rollout-settings.js';
import { ApplicationNotFoundError } from '../../../core/store/errors.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function store(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), 'rune-policy-'));
  dirs.push(dir);
  const s = new SqliteStore(join(dir, 'store.db'));
  s.addApplication({
    name: 'etcd',
    charm: 'etcd',
    charmDir: dir,
    subordinate: false,
    config: {},
    constraints: '',
  });
  return s;
}

describe('rollout policy precedence', () => {
  it('takes each field from the flags, else the settings, else the defaults (pure)', () => {
    expect(
      rolloutPolicy({ canaries: '2' }, { 'rollout-canaries': '5', 'rollout-watch': '0s-1m' }),
    ).toEqual({ canaries: 2, maxInFlight: { count: 1 }, watchMinMs: 0, watchMaxMs: 60_000 });
  });

  it('flags beat the application policy, which beats model-config', () => {
    const s = store();
    s.setModelConfig({
      'rollout-canaries': '3',
      'rollout-max-in-flight': '50%',
      'rollout-watch': '2s-2m',
    });
    setRolloutPolicy(s, {
      application: 'etcd',
      policy: { maxInFlight: '2', watch: '0s-30s' },
      reset: false,
    });
    expect(policyFor(s, 'etcd', { watch: '1s-10s' })).toEqual({
      canaries: 3,
      maxInFlight: { count: 2 },
      watchMinMs: 1_000,
      watchMaxMs: 10_000,
    });
    expect(rolloutPolicyView(s, 'etcd')).toEqual({
      canaries: { value: '3', source: 'model' },
      'max-in-flight': { value: '2', source: 'application' },
      watch: { value: '0s-30s', source: 'application' },
    });
    // --reset: model-config and the defaults apply again.
    setRolloutPolicy(s, { application: 'etcd', policy: {}, reset: true });
    s.setModelConfig({ 'rollout-max-in-flight': '1' });
    expect(policyFor(s, 'etcd', {}).maxInFlight).toEqual({ count: 1 });
    expect(rolloutPolicyView(s, 'etcd').canaries).toEqual({ value: '3', source: 'model' });
  });

  it('refuses bad values with the flags’ messages, storing none of the request', () => {
    const s = store();
    setRolloutPolicy(s, { application: 'etcd', policy: { canaries: '2' }, reset: false });
    const bad = () =>
      setRolloutPolicy(s, {
        application: 'etcd',
        policy: { canaries: '4', maxInFlight: '0', watch: '5m-1s' },
        reset: true,
      });
    expect(bad).toThrow(RolloutError);
    expect(bad).toThrow(
      '--max-in-flight must be a number of units from 1 or a percentage from 1% to 100%, got "0"; ' +
        '--watch 5m-1s: the maximum is shorter than the minimum',
    );
    expect(s.applicationSettings('etcd')).toEqual({ 'rollout-canaries': '2' });
    expect(() => setRolloutPolicy(s, { application: 'etcd', policy: {}, reset: false })).toThrow(
      'give --canaries, --max-in-flight, --watch or --reset',
    );
    expect(() => setRolloutPolicy(s, { application: 'nope', policy: {}, reset: true })).toThrow(
      ApplicationNotFoundError,
    );
  });
});
