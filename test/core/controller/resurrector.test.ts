// The resurrector on FAKE machines (test/fakes/fake-machine.ts) with the real controller: a lost
// local machine is replaced after the grace with its units, the meltdown brake holds when many
// are lost at once and status says so, and a manual machine is never replaced.
import { describe, expect, it } from 'vitest';
import { fakeController } from '../../fakes/fake-controller.js';
import { applicationRecord } from '../../fakes/application-record.js';

/** A local controller with `machines` fake machines and one unit of `app` on each. */
async function model(machines: number) {
  const logs: string[] = [];
  const {
    controller,
    store,
    world,
    fakeProvider: provider,
  } = fakeController({
    prefix: 'rune-resurrect-',
    deps: { log: (line) => logs.push(line) },
  });
  await controller.addMachines({ count: machines, constraints: '' });
  store.addApplication(applicationRecord('app'));
  for (let n = 0; n < machines; n++) store.addUnit({ name: `app/${n}`, machine: String(n) });
  store.setModelConfig({ 'resurrect-grace': '30s' });
  const lose = (...ids: number[]) => ids.forEach((id) => world.down.add(`10.99.0.${id + 2}`));
  const units = () =>
    store
      .units()
      .map((u) => `${u.name}@${u.machine}`)
      .sort();
  return { controller, store, provider, logs, lose, units };
}

const LATER = 31_000;

describe('the resurrector', () => {
  it('replaces a lost local machine after the grace: the unit leaves, a new one comes on a new machine', async () => {
    const m = await model(3);
    m.lose(1);
    await m.controller.checkHealth();
    // Within the grace: lost, not replaced.
    expect(m.units()).toEqual(['app/0@0', 'app/1@1', 'app/2@2']);
    const status = await m.controller.status(false);
    expect(status.applications?.['app']?.units?.['app/1']?.['agent-status'].current).toBe('lost');
    await m.controller.checkHealth(Date.now() + LATER);
    expect(m.units()).toEqual(['app/0@0', 'app/2@2', 'app/3@3']);
    expect(m.store.machines().map((x) => x.id)).toEqual(['0', '2', '3']);
    expect(m.provider.destroyed).toEqual(['fake-m1']);
    expect(m.logs).toContain('resurrector: app/1 replaced by app/3');
    await m.controller.shutdown(false);
  });

  it('holds the meltdown brake when 10 of 40 machines are lost at once, and status says why', async () => {
    const m = await model(40);
    m.lose(...Array.from({ length: 10 }, (_, i) => i));
    await m.controller.checkHealth();
    await m.controller.checkHealth(Date.now() + LATER);
    expect(m.units()).toHaveLength(40);
    expect(m.provider.destroyed).toEqual([]);
    const status = await m.controller.status(false);
    expect(status.model.resurrector).toBe(
      'meltdown brake on: 10 of 40 machines lost within 10 minutes (more than 20% and more ' +
        'than 5); replacing none until they answer or are removed',
    );
    expect(m.logs).toContain(status.model.resurrector);
    await m.controller.shutdown(false);
  });

  it('does nothing with resurrect=false', async () => {
    const m = await model(3);
    m.controller.setModelConfig({ resurrect: 'false' });
    m.lose(0);
    await m.controller.checkHealth();
    await m.controller.checkHealth(Date.now() + LATER);
    expect(m.units()).toEqual(['app/0@0', 'app/1@1', 'app/2@2']);
    await m.controller.shutdown(false);
  });
});
