// The runtime test charms (test/fixtures/charms/runtime/) through the harness: peer data, the
// leader's app bag, a provider/consumer round trip, a subordinate, and a hook told to fail.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type CharmModule,
  Harness,
  type HarnessRelation,
  type HarnessState,
} from '../../../core/charm/index.js';
import { charm as flaky } from '../../fixtures/charms/runtime/flaky/charm.js';
import { charm as kvConsumer } from '../../fixtures/charms/runtime/kv-consumer/charm.js';
import { charm as kvProvider } from '../../fixtures/charms/runtime/kv-provider/charm.js';
import { hooksFile } from '../../fixtures/charms/runtime/lib/hooks-file.js';
import { charm as peerCounter } from '../../fixtures/charms/runtime/peer-counter/charm.js';
import { charm as sidecarHost } from '../../fixtures/charms/runtime/sidecar-host/charm.js';
import { charm as sidecar } from '../../fixtures/charms/runtime/sidecar/charm.js';

const harness = (name: string, module: CharmModule): Harness =>
  Harness.load(
    fileURLToPath(new URL(`../../fixtures/charms/runtime/${name}`, import.meta.url)),
    module,
  );

/** The hooks file as `install` left it: every later hook expects to find it. */
const installed = (unit: string): HarnessState['machine'] => ({
  files: { [hooksFile(unit)]: 'install\n' },
});

const hooksOf = (state: HarnessState): string | undefined =>
  state.machine?.files?.[hooksFile(state.unit)];

/** The relation as the side that did not run the hook will see it after the commit. */
const relationRelayed = (
  from: HarnessState,
  id: number,
  mine: Omit<HarnessRelation, 'remoteUnits' | 'remoteAppData'>,
): HarnessRelation => {
  const theirs = from.relations?.find((r) => r.id === id);
  return {
    ...mine,
    remoteUnits: { [from.unit]: theirs?.local ?? {} },
    remoteAppData: theirs?.app ?? {},
  };
};

describe('peer-counter', () => {
  const pc = harness('peer-counter', peerCounter);

  it('install with no file yet: starts the hooks file and the stored list', async () => {
    const out = await pc.run({ unit: 'peer-counter/0', isLeader: true }, 'install');
    expect(out.ok).toBe(true);
    expect(hooksOf(out.state)).toBe('install\n');
    expect(hooksFile('peer-counter/0')).toBe('/var/lib/rune-test/peer-counter-0.hooks');
    expect(out.state.stored).toEqual({ hooks: [{ hook: 'install' }] });
    expect(out.state.status).toEqual({ kind: 'active', message: '0 peers' });
  });

  it('fails a later hook whose hooks file is gone rather than truncate the record', async () => {
    const out = await pc.run({ unit: 'peer-counter/0' }, 'config-changed');
    expect(out.ok).toBe(false);
    expect(String(out.error)).toContain('/var/lib/rune-test/peer-counter-0.hooks');
  });

  it('round-trips peer data; the leader publishes the sorted members', async () => {
    const cluster = (remote: Record<string, Record<string, string>>): HarnessRelation => ({
      id: 1,
      endpoint: 'cluster',
      remoteApp: 'peer-counter',
      remoteUnits: remote,
    });
    // Unit 0 (leader) sees unit 1 join before unit 1 has written anything.
    const leader0 = await pc.run(
      {
        unit: 'peer-counter/0',
        isLeader: true,
        relations: [cluster({})],
        machine: installed('peer-counter/0'),
      },
      { kind: 'relation-joined', relationId: 1, remoteUnit: 'peer-counter/1' },
    );
    expect(leader0.state.relations?.[0]?.local).toEqual({
      'private-address': '192.0.2.1',
      unit: 'peer-counter/0',
      seen: '0',
    });
    expect(leader0.state.relations?.[0]?.app).toEqual({ members: 'peer-counter/0' });
    expect(leader0.state.status).toEqual({ kind: 'active', message: '1 peers' });

    // Unit 1 (follower) reads unit 0's bag and the app bag; it writes no app data.
    const bag0 = leader0.state.relations?.[0]?.local ?? {};
    const follower1 = await pc.run(
      {
        unit: 'peer-counter/1',
        relations: [
          { ...cluster({ 'peer-counter/0': bag0 }), app: leader0.state.relations?.[0]?.app ?? {} },
        ],
        machine: installed('peer-counter/1'),
      },
      { kind: 'relation-changed', relationId: 1, remoteUnit: 'peer-counter/0' },
    );
    const rel1 = follower1.state.relations?.[0];
    expect(rel1?.local).toEqual({
      'private-address': '192.0.2.2',
      unit: 'peer-counter/1',
      seen: '1',
    });
    expect(rel1?.app).toEqual({ members: 'peer-counter/0' });

    // Unit 1's write wakes unit 0, whose members now list both.
    const leader0again = await pc.run(
      {
        ...leader0.state,
        relations: [
          {
            ...cluster({ 'peer-counter/1': rel1?.local ?? {} }),
            local: leader0.state.relations?.[0]?.local ?? {},
            app: leader0.state.relations?.[0]?.app ?? {},
          },
        ],
      },
      { kind: 'relation-changed', relationId: 1, remoteUnit: 'peer-counter/1' },
    );
    expect(leader0again.state.relations?.[0]?.app).toEqual({
      members: 'peer-counter/0,peer-counter/1',
    });
    expect(leader0again.state.relations?.[0]?.local?.['seen']).toBe('1');

    // Every hook is in stored state and in the hooks file, with the remote unit it was about.
    expect(leader0again.state.stored?.['hooks']).toEqual([
      { hook: 'cluster-relation-joined', remoteUnit: 'peer-counter/1' },
      { hook: 'cluster-relation-changed', remoteUnit: 'peer-counter/1' },
    ]);
    expect(hooksOf(leader0again.state)).toBe(
      'install\n' +
        'cluster-relation-joined peer-counter/1\n' +
        'cluster-relation-changed peer-counter/1\n',
    );
  });

  it('stop and remove append to the hooks file and the stored list', async () => {
    const start = { unit: 'peer-counter/2', machine: installed('peer-counter/2') };
    const stopped = await pc.run(start, 'stop');
    expect(stopped.state.status).toEqual({ kind: 'maintenance', message: 'stopped' });
    const removed = await pc.run(stopped.state, 'remove');
    expect(hooksOf(removed.state)).toBe('install\nstop\nremove\n');
    expect(removed.state.stored?.['hooks']).toEqual([{ hook: 'stop' }, { hook: 'remove' }]);
  });
});

describe('kv-provider and kv-consumer', () => {
  const provider = harness('kv-provider', kvProvider);
  const consumer = harness('kv-consumer', kvConsumer);
  const toConsumer = { id: 7, endpoint: 'kv', remoteApp: 'kv-consumer' };
  const toProvider = { id: 7, endpoint: 'kv', remoteApp: 'kv-provider' };

  it('round-trips relation data: value out, ack back, counted by the provider', async () => {
    const published = await provider.run(
      {
        unit: 'kv-provider/0',
        isLeader: true,
        relations: [{ ...toConsumer, remoteUnits: {} }],
        machine: installed('kv-provider/0'),
      },
      { kind: 'relation-joined', relationId: 7, remoteUnit: 'kv-consumer/0' },
    );
    expect(published.state.relations?.[0]?.app).toEqual({ value: 'hello' });
    expect(published.state.relations?.[0]?.local).toEqual({
      'private-address': '192.0.2.1',
      host: '192.0.2.1',
    });
    expect(published.state.status).toEqual({ kind: 'active', message: 'acked by 0' });

    // The consumer reads the provider's commit: its app bag and kv-provider/0's unit bag.
    const got = await consumer.run(
      {
        unit: 'kv-consumer/0',
        relations: [relationRelayed(published.state, 7, toProvider)],
        machine: installed('kv-consumer/0'),
      },
      { kind: 'relation-changed', relationId: 7, remoteUnit: 'kv-provider/0' },
    );
    expect(got.state.status).toEqual({ kind: 'active', message: 'got hello from kv-provider' });
    expect(got.state.relations?.[0]?.local?.['ack']).toBe('hello');

    const acked = await provider.run(
      { ...published.state, relations: [relationRelayed(got.state, 7, toConsumer)] },
      { kind: 'relation-changed', relationId: 7, remoteUnit: 'kv-consumer/0' },
    );
    expect(acked.state.status).toEqual({ kind: 'active', message: 'acked by 1' });

    // A new value: the old ack no longer counts until the consumer answers again.
    const changed = await provider.run(
      { ...acked.state, config: { value: 'world' } },
      'config-changed',
    );
    expect(changed.state.relations?.[0]?.app).toEqual({ value: 'world' });
    expect(changed.state.status).toEqual({ kind: 'active', message: 'acked by 0' });
  });

  it('a follower provider publishes host but no app data', async () => {
    const out = await provider.run(
      {
        unit: 'kv-provider/1',
        relations: [{ ...toConsumer, remoteUnits: { 'kv-consumer/0': {} } }],
        machine: installed('kv-provider/1'),
      },
      'config-changed',
    );
    expect(out.state.relations?.[0]?.app).toEqual({});
    expect(out.state.relations?.[0]?.local?.['host']).toBe('192.0.2.2');
  });

  it('the consumer waits for a value, and is blocked without a relation', async () => {
    const waiting = await consumer.run(
      {
        unit: 'kv-consumer/0',
        relations: [{ ...toProvider, remoteUnits: { 'kv-provider/0': {} } }],
        machine: installed('kv-consumer/0'),
      },
      'config-changed',
    );
    expect(waiting.state.status).toEqual({
      kind: 'waiting',
      message: 'waiting for a value from kv-provider',
    });
    const alone = await consumer.run({ unit: 'kv-consumer/0' }, 'install');
    expect(alone.state.status).toEqual({ kind: 'blocked', message: 'needs a kv relation' });
  });
});

describe('sidecar and sidecar-host', () => {
  it('the subordinate names the principal it sits beside', async () => {
    const out = await harness('sidecar', sidecar).run(
      {
        unit: 'sidecar/0',
        relations: [
          {
            id: 3,
            endpoint: 'host',
            remoteApp: 'sidecar-host',
            remoteUnits: { 'sidecar-host/4': {} },
          },
        ],
        machine: installed('sidecar/0'),
      },
      { kind: 'relation-changed', relationId: 3, remoteUnit: 'sidecar-host/4' },
    );
    expect(out.state.status).toEqual({ kind: 'active', message: 'beside sidecar-host/4' });
    expect(hooksOf(out.state)).toBe('install\nhost-relation-changed sidecar-host/4\n');
  });

  it('the principal counts its sidecars', async () => {
    const out = await harness('sidecar-host', sidecarHost).run(
      {
        unit: 'sidecar-host/4',
        relations: [
          { id: 3, endpoint: 'host', remoteApp: 'sidecar', remoteUnits: { 'sidecar/0': {} } },
        ],
        machine: installed('sidecar-host/4'),
      },
      'update-status',
    );
    expect(out.state.status).toEqual({ kind: 'active', message: '1 sidecars' });
  });
});

describe('flaky', () => {
  const fl = harness('flaky', flaky);
  const base: HarnessState = {
    unit: 'flaky/0',
    config: { 'fail-hook': 'config-changed' },
    status: { kind: 'maintenance', message: 'installing' },
    machine: installed('flaky/0'),
  };

  it('fails exactly the named hook, discarding its writes but not its machine effects', async () => {
    const failed = await fl.run(base, 'config-changed');
    expect(failed.ok).toBe(false);
    expect(failed.error).toBeInstanceOf(Error);
    expect((failed.error as Error).message).toBe('told to fail in config-changed');
    expect(failed.outcome).toBeUndefined();
    expect(failed.state.status).toEqual({ kind: 'maintenance', message: 'installing' });
    // The line is written before the throw: a failed attempt is on the record.
    expect(hooksOf(failed.state)).toBe('install\nconfig-changed\n');

    const started = await fl.run(failed.state, 'start');
    expect(started.ok).toBe(true);
    expect(started.state.status).toEqual({ kind: 'active', message: 'ok' });
    expect(hooksOf(started.state)).toBe('install\nconfig-changed\nstart\n');
  });

  it('fails stop or install when told to, and by default fails nothing', async () => {
    const stop = await fl.run({ ...base, config: { 'fail-hook': 'stop' } }, 'stop');
    expect(String(stop.error)).toContain('told to fail in stop');
    const install = await fl.run(
      { unit: 'flaky/1', config: { 'fail-hook': 'install' } },
      'install',
    );
    expect(install.ok).toBe(false);
    expect(hooksOf(install.state)).toBe('install\n');
    const remove = await fl.run({ ...base, config: {} }, 'remove');
    expect(remove.ok).toBe(true);
  });
});
