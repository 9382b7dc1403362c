// Status history in the SQLite store (issue 17 item 2): a unit's workload and agent transitions
// recorded as they are written (a status set again unchanged is none), each stream pruned to
// status-history-size, written in the change's own transaction, redacted, and gone with its
// entity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../core/store/types.js';
import { openStore } from './open-store.js';
import { applicationRecord } from '../../fakes/application-record.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function store(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'rune-status-history-'));
  dirs.push(dir);
  const s = openStore(join(dir, 'store.db'));
  s.addApplication(applicationRecord('etcd'));
  s.addUnit({ name: 'etcd/0', machine: '0' });
  s.addUnit({ name: 'etcd/1', machine: '1' });
  return s;
}

const at = (second: number) => `2026-12-07T00:00:${String(second).padStart(2, '0')}.000Z`;

/** `type status message` lines of the unit's merged log. */
const lines = (s: Store, entity: string, limit?: number) =>
  s
    .statusHistory(entity, ['workload', 'juju-unit'], limit)
    .map((e) => `${e.type} ${e.status} ${e.message}`.trimEnd());

describe('status history', () => {
  it("records a unit's workload and agent transitions, oldest first, from its first status", () => {
    const s = store();
    s.setUnitStatus('etcd/0', {
      agentStatus: { current: 'executing', message: 'running install hook', since: at(1) },
    });
    s.setUnitStatus('etcd/0', {
      workloadStatus: { current: 'maintenance', message: 'installing', since: at(2) },
      agentStatus: { current: 'idle', message: '', since: at(2) },
    });
    s.setUnitStatus('etcd/0', {
      workloadStatus: { current: 'active', message: 'Healthy', since: at(3) },
    });
    expect(lines(s, 'etcd/0')).toEqual([
      'workload waiting waiting for machine',
      'juju-unit allocating',
      'juju-unit executing running install hook',
      'workload maintenance installing',
      'juju-unit idle',
      'workload active Healthy',
    ]);
    expect(
      s
        .statusHistory('etcd/0', ['workload'])
        .map((e) => e.at)
        .slice(1),
    ).toEqual([at(2), at(3)]);
    expect(lines(s, 'etcd/0', 2)).toEqual(['juju-unit idle', 'workload active Healthy']);
    expect(lines(s, 'etcd/1')).toHaveLength(2);
  });

  it('does not record a status set again unchanged, even with a new time', () => {
    const s = store();
    const active = (message: string, second: number) =>
      s.setUnitStatus('etcd/0', {
        workloadStatus: { current: 'active', message, since: at(second) },
      });
    active('Healthy', 1);
    active('Healthy', 2);
    active('Healthy with 3 known peers', 3);
    active('Healthy with 3 known peers', 4);
    const workload = s.statusHistory('etcd/0', ['workload']).slice(1);
    expect(workload.map((e) => `${e.message}@${e.at}`)).toEqual([
      `Healthy@${at(1)}`,
      `Healthy with 3 known peers@${at(3)}`,
    ]);
    expect(
      s.recordStatus({ entity: '3', type: 'machine', status: 'down', message: 'x', at: at(1) }),
    ).toBe(true);
    expect(
      s.recordStatus({ entity: '3', type: 'machine', status: 'down', message: 'x', at: at(2) }),
    ).toBe(false);
  });

  it('keeps the newest status-history-size entries of each stream, pruning on write', () => {
    const s = store();
    s.setModelConfig({ 'status-history-size': '3' });
    for (let i = 1; i <= 10; i++) {
      s.setUnitStatus('etcd/0', {
        workloadStatus: { current: 'maintenance', message: `step ${i}`, since: at(i) },
      });
    }
    expect(s.statusHistory('etcd/0', ['workload']).map((e) => e.message)).toEqual([
      'step 8',
      'step 9',
      'step 10',
    ]);
    // The agent's stream and the other unit's keep their own entries.
    expect(lines(s, 'etcd/0').filter((l) => l.startsWith('juju-unit'))).toEqual([
      'juju-unit allocating',
    ]);
    expect(lines(s, 'etcd/1')).toHaveLength(2);
    // A smaller size applies at the stream's next write, all at once.
    s.setModelConfig({ 'status-history-size': '1' });
    s.setUnitStatus('etcd/0', {
      workloadStatus: { current: 'active', message: '', since: at(11) },
    });
    expect(lines(s, 'etcd/0')).toEqual(['juju-unit allocating', 'workload active']);
  });

  it("lands in the change's transaction: a failed one leaves neither status nor entry", () => {
    const s = store();
    expect(() =>
      s.transaction(() => {
        s.setUnitStatus('etcd/0', {
          workloadStatus: { current: 'error', message: 'hook failed: "install"', since: at(1) },
        });
        throw new Error('the hook commit failed');
      }),
    ).toThrow('the hook commit failed');
    expect(s.unit('etcd/0')?.workloadStatus.current).toBe('waiting');
    expect(lines(s, 'etcd/0')).toEqual([
      'workload waiting waiting for machine',
      'juju-unit allocating',
    ]);
  });

  it('redacts secrets in messages', () => {
    const s = store();
    s.setUnitStatus('etcd/0', {
      workloadStatus: { current: 'blocked', message: 'bad password=hunter2', since: at(1) },
    });
    expect(lines(s, 'etcd/0').at(-1)).toBe('workload blocked bad password=[redacted]');
  });

  it('records nothing for a unit that is not there, and forgets an entity removed', () => {
    const s = store();
    s.setUnitStatus('etcd/9', {
      workloadStatus: { current: 'active', message: '', since: at(1) },
    });
    expect(lines(s, 'etcd/9')).toEqual([]);
    s.removeUnit('etcd/0');
    expect(lines(s, 'etcd/0')).toEqual([]);
    expect(lines(s, 'etcd/1')).toHaveLength(2);
  });

  it('keeps machine and model streams of their own, and forgets a removed machine', () => {
    const s = store();
    const id = s.reserveMachineId();
    s.addMachine({
      id,
      provider: 'manual',
      instanceId: 'manual:h',
      address: 'h',
      port: 22,
      user: 'root',
      keyFile: '/k',
      hostKey: 'SHA256:x',
      hostPublicKey: 'ssh-ed25519 x',
      constraints: '',
    });
    s.recordStatus({ entity: id, type: 'machine', status: 'started', message: '', at: at(1) });
    s.recordStatus({ entity: 'model', type: 'model', status: 'brake-on', message: 'm', at: at(2) });
    expect(s.statusHistory(id, ['machine']).map((e) => e.status)).toEqual(['started']);
    s.removeMachine(id);
    expect(s.statusHistory(id, ['machine'])).toEqual([]);
    expect(s.statusHistory('model', ['model']).map((e) => e.status)).toEqual(['brake-on']);
  });
});
