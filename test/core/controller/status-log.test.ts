// Status history at the controller, on FAKE machines (test/fakes/fake-machine.ts): a machine whose
// probes fail logs down and then started, its units' agents lost and back; the model's log says
// when the resurrector's meltdown brake went on (and why) and off — also one a previous
// controller left on — and which machine it replaced; show-status-log's entity and --type checks.
import { describe, expect, it } from 'vitest';
import { fakeController } from '../../fakes/fake-controller.js';
import { applicationRecord } from '../../fakes/application-record.js';

/** A local controller with `machines` fake machines and one unit of `app` on each. */
async function model(machines: number) {
  const { controller, store, world } = fakeController({ prefix: 'rune-status-log-' });
  await controller.addMachines({ count: machines, constraints: '' });
  store.addApplication(applicationRecord('app'));
  for (let n = 0; n < machines; n++) store.addUnit({ name: `app/${n}`, machine: String(n) });
  store.setModelConfig({ 'resurrect-grace': '30s' });
  const host = (id: number) => `10.99.0.${id + 2}`;
  const lose = (...ids: number[]) => ids.forEach((id) => world.down.add(host(id)));
  const restore = (...ids: number[]) => ids.forEach((id) => world.down.delete(host(id)));
  /** `type status message` of each entry. */
  const log = (entity: string, type?: 'juju-unit') =>
    controller
      .statusLog({ entity, ...(type ? { type } : {}) })
      .entries.map((e) => `${e.type} ${e.status} ${e.message}`.trimEnd());
  return { controller, store, lose, restore, log };
}

const LATER = 31_000;

describe('status history at the controller', () => {
  it('logs the meltdown brake on with why, and released; a machine down and back; its unit lost and back', async () => {
    const m = await model(40);
    await m.controller.checkHealth();
    m.lose(...Array.from({ length: 10 }, (_, i) => i));
    await m.controller.checkHealth();
    await m.controller.checkHealth(Date.now() + LATER);
    expect(m.log('model')).toEqual([
      'model brake-on meltdown brake on: 10 of 40 machines lost within 10 minutes (more than ' +
        '20% and more than 5); replacing none until they answer or are removed',
    ]);
    // Status still says it in its Notes.
    expect((await m.controller.status(false)).model.resurrector).toMatch(/^meltdown brake on/);

    m.restore(...Array.from({ length: 10 }, (_, i) => i));
    await m.controller.checkHealth(Date.now() + LATER);
    expect(m.log('model').at(-1)).toBe('model brake-off meltdown brake released');
    expect(m.log('0')).toEqual([
      'machine started',
      'machine down 10.99.0.2 is down',
      // The next probe's message differs (the session is gone; a new one cannot connect): a
      // transition of its own, while the units' `lost` is not repeated.
      'machine down cannot reach 10.99.0.2:22',
      'machine started',
    ]);
    expect(m.log('app/0', 'juju-unit')).toEqual([
      'juju-unit allocating',
      'juju-unit lost agent is not communicating with the server',
      'juju-unit allocating',
    ]);
    // Machine 20 never went: one entry, however many probes.
    expect(m.log('20')).toEqual(['machine started']);
    await m.controller.shutdown(false);
  });

  it("logs each machine the resurrector replaced, with what took its units' place", async () => {
    const m = await model(3);
    m.lose(1);
    await m.controller.checkHealth();
    await m.controller.checkHealth(Date.now() + LATER);
    const [replaced, ...rest] = m.controller.statusLog({ entity: 'model' }).entries;
    expect(rest).toEqual([]);
    expect(replaced?.status).toBe('replaced');
    expect(replaced?.message).toMatch(
      /^replaced machine 1 \(lost since \d{4}-\d\d-\d\dT[\d:.]+Z\) by machine 3 \(app\/1 is now app\/3\)$/,
    );
    // The replaced machine's log went with it; the new one's began.
    expect(() => m.log('1')).toThrow('cannot show the status log of 1: no such machine');
    expect(m.log('3')).toEqual(['machine started']);
    await m.controller.shutdown(false);
  });

  it('releases a brake a previous controller left on, and records nothing when there was none', async () => {
    const m = await model(2);
    await m.controller.checkHealth();
    expect(m.log('model')).toEqual([]);
    // As if the controller before this one had put the brake on and died.
    const fresh = await model(2);
    fresh.store.recordStatus({
      entity: 'model',
      type: 'model',
      status: 'brake-on',
      message: 'meltdown brake on: ...',
      at: new Date().toISOString(),
    });
    await fresh.controller.checkHealth();
    await fresh.controller.checkHealth();
    expect(fresh.log('model')).toEqual([
      'model brake-on meltdown brake on: ...',
      'model brake-off meltdown brake released',
    ]);
    await m.controller.shutdown(false);
    await fresh.controller.shutdown(false);
  });

  it('names what is wrong with an entity or --type', async () => {
    const m = await model(1);
    const refusal = (entity: string, type?: 'machine' | 'application' | 'unit') => {
      try {
        m.controller.statusLog({ entity, ...(type ? { type } : {}) });
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(refusal('app/7')).toBe(
      'cannot show the status log of app/7: no such unit; rune status lists the units',
    );
    expect(refusal('ghost')).toBe(
      'cannot show the status log of ghost: no such application; rune status lists the applications',
    );
    expect(refusal('app/0', 'machine')).toBe(
      'cannot show the status log of app/0: --type machine needs a machine id',
    );
    expect(refusal('0', 'unit')).toBe(
      'cannot show the status log of 0: --type unit needs a unit like etcd/0',
    );
    expect(m.controller.statusLog({ entity: 'app' })).toEqual({
      entity: 'app',
      kind: 'application',
      entries: [],
    });
    await m.controller.shutdown(false);
  });
});
