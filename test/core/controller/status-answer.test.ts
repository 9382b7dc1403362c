// `rune status PATTERN...` answered by the controller (issue 16 item 2): only what the patterns
// name, exactly what the CLI's filter keeps of the whole model, and only those machines probed.
import { describe, expect, it } from 'vitest';
import { filterStatus } from '../../../core/controller/status-filter.js';
import { applicationRecord } from '../../fakes/application-record.js';
import { fakeController } from '../../fakes/fake-controller.js';

/** etcd/0 (machine 0) and etcd/1 (1), web/0 (2), each with a tel subordinate; etcd–web and
 * tel–etcd related. */
async function model() {
  const f = fakeController({ prefix: 'rune-status-answer-' });
  await f.controller.addMachines({ count: 3, constraints: '' });
  const { store } = f;
  store.addApplication(applicationRecord('etcd'));
  store.addApplication(applicationRecord('web'));
  store.addApplication(applicationRecord('tel', { subordinate: true }));
  const units: [string, string][] = [
    ['etcd/0', '0'],
    ['etcd/1', '1'],
    ['web/0', '2'],
  ];
  units.forEach(([name, machine], n) => {
    store.addUnit({ name, machine });
    store.addUnit({ name: `tel/${n}`, machine, principal: name });
  });
  const end = (application: string, name: string, role: 'provider' | 'requirer') => ({
    application,
    name,
    role,
    interface: name,
    scope: 'global' as const,
    optional: false,
  });
  store.addRelation([end('etcd', 'db', 'provider'), end('web', 'db', 'requirer')]);
  store.addRelation([
    end('etcd', 'juju-info', 'provider'),
    { ...end('tel', 'juju-info', 'requirer'), scope: 'container' as const },
  ]);
  return f;
}

describe('a filtered status from the controller', () => {
  it('answers what the CLI filter keeps of the whole model, for every kind of pattern', async () => {
    const { controller } = await model();
    const whole = await controller.status(false);
    const patterns = [
      ['etcd/0'],
      ['web'],
      ['tel'],
      ['tel/2'],
      ['1'],
      ['2', 'etcd/1'],
      ['nope'],
      ['9'],
      ['etcd', 'web/0'],
    ];
    for (const p of patterns) {
      expect(await controller.status(false, p), p.join(' ')).toEqual(filterStatus(whole, p));
    }
  });

  it('leaves out the units and machines nobody asked for', async () => {
    const { controller } = await model();
    const shown = await controller.status(false, ['etcd/1']);
    expect(Object.keys(shown.applications ?? {})).toEqual(['etcd', 'tel']);
    expect(Object.keys(shown.applications?.['etcd']?.units ?? {})).toEqual(['etcd/1']);
    expect(
      Object.keys(shown.applications?.['etcd']?.units?.['etcd/1']?.subordinates ?? {}),
    ).toEqual(['tel/1']);
    expect(Object.keys(shown.machines)).toEqual(['1']);
    // The application's own figures still count all of its units.
    expect(shown.applications?.['etcd']?.scale).toBe(2);
  });

  it('probes only the machines it shows', async () => {
    const { controller, world } = await model();
    world.down.add('10.99.0.4'); // machine 2, web/0's
    const etcd = await controller.status(true, ['etcd/0']);
    expect(etcd.machines['0']?.['machine-status'].current).toBe('started');
    expect((await controller.status(false)).machines['2']?.['machine-status'].current).not.toBe(
      'down',
    );
    const web = await controller.status(true, ['web/0']);
    expect(web.machines['2']?.['machine-status'].current).toBe('down');
    expect(web.applications?.['web']?.units?.['web/0']?.['agent-status'].current).toBe('lost');
  });
});

describe('the whole-model status from the controller', () => {
  it('is the same frozen answer until the model or a machine changes', async () => {
    const { controller, store, world } = await model();
    const first = await controller.status(false);
    expect(await controller.status(false)).toBe(first);
    expect(Object.isFrozen(first.applications?.['etcd']?.units?.['etcd/0'])).toBe(true);
    store.setUnitStatus('web/0', {
      workloadStatus: { current: 'active', message: 'serving', since: '2026-12-07T00:00:00Z' },
      agentStatus: { current: 'idle', message: '', since: '2026-12-07T00:00:00Z' },
    });
    // The agents write through the controller's observed store, which moves the bus on every
    // write (observed-store.ts); this test wrote to the store beneath it, so it says so itself.
    controller.events.bump();
    const changed = await controller.status(false);
    expect(changed).not.toBe(first);
    expect(changed.applications?.['web']?.units?.['web/0']?.['workload-status'].message).toBe(
      'serving',
    );
    // A probe that finds a machine down is a change too, though the store did not move.
    world.down.add('10.99.0.4');
    await controller.checkHealth();
    const down = await controller.status(false);
    expect(down).not.toBe(changed);
    expect(down.machines['2']?.['machine-status'].current).toBe('down');
  });
});
