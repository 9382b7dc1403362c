// --wait and wait-for against a FAKE controller on a real socket (test/fakes/fake-controller-api.ts):
// a settled model is noticed as soon as the event bus says it changed, not at the next poll; a
// change the bus missed costs at most the cap; a controller lost mid-wait is brought back and
// waited on (issue 15 item 8); output and outcomes are as before.
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../../../core/controller/api-server.js';
import type {
  ApplicationStatusView,
  StatusResponse,
  UnitStatusView,
} from '../../../core/controller/api.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import { WaitTimeoutError, waitFor } from '../../../core/controller/wait-for.js';
import { waitForUnits } from '../../../core/cli/wait-units.js';
import type { Io } from '../../../core/cli/io.js';
import type { ControllerApi } from '../../../core/controller/api-server.js';
import {
  EMPTY_STATUS,
  fakeControllerApi,
  heldLongPolls,
  type Served,
  serveApi,
} from '../../fakes/fake-controller-api.js';

const unit = (workload: string, agent: string, message = ''): UnitStatusView => ({
  'workload-status': { current: workload, message },
  'agent-status': { current: agent, message: '' },
  'public-address': '10.0.0.2',
});

const app = (units: Record<string, UnitStatusView>): ApplicationStatusView => ({
  charm: 'etcd',
  'charm-name': 'etcd',
  'charm-rev': 1,
  exposed: false,
  'application-status': { current: 'active', message: '' },
  relations: {},
  units,
  scale: Object.keys(units).length,
});

/** The model the fake controller shows; tests change it and, unless testing a missed change,
 * bump the bus as the real controller's store does on every write. */
class Model {
  units: Record<string, Record<string, UnitStatusView>> = {};
  pending: string[] = [];
  deploying = false;
  readonly events = new ModelEvents();

  status(): StatusResponse {
    const applications = Object.fromEntries(
      Object.entries(this.units).map(([name, units]) => [name, app(units)]),
    );
    return { ...EMPTY_STATUS, applications };
  }
}

let served: Served | undefined;
afterEach(() => served?.close());

async function setup(model: Model, overrides: Partial<ControllerApi> = {}) {
  served = await serveApi(
    fakeControllerApi(model.events, {
      status: () => Promise.resolve(model.status()),
      pending: () => ({ units: model.pending, deploying: model.deploying }),
      ...overrides,
    }),
  );
  const err: string[] = [];
  const io: Io = {
    out: () => undefined,
    err: (line) => err.push(line),
    outRaw: () => undefined,
    errRaw: () => undefined,
  };
  return { client: served.client, io, err };
}

describe('waitForUnits', () => {
  it('returns as soon as the model settles, without waiting out a poll', async () => {
    const model = new Model();
    model.units = { etcd: { 'etcd/0': unit('maintenance', 'executing', 'installing') } };
    const { client, io, err } = await setup(model);
    // A cap far beyond the timeout: only the event bus can end this wait in time.
    const settled = waitForUnits(client, io, { timeoutMs: 10_000, maxChangeWaitMs: 60_000 });
    await heldLongPolls(model.events, 1);
    model.units = { etcd: { 'etcd/0': unit('active', 'idle') } };
    const changedAt = Date.now();
    model.events.bump();
    expect(await settled).toBe('idle');
    expect(Date.now() - changedAt).toBeLessThan(1000);
    expect(err).toEqual(['etcd/0: maintenance, executing — installing', 'etcd/0: active, idle']);
  });

  it('a change the bus missed costs at most the cap', async () => {
    const model = new Model();
    model.units = { etcd: { 'etcd/0': unit('maintenance', 'executing') } };
    const { client, io, err } = await setup(model);
    const settled = waitForUnits(client, io, { timeoutMs: 10_000, maxChangeWaitMs: 50 });
    // After the first check (its line printed), a change with no bump: only the cap finds it.
    await waitFor('the first check', () => err.length > 0, { timeoutMs: 5_000 });
    model.units = { etcd: { 'etcd/0': unit('active', 'idle') } };
    expect(await settled).toBe('idle');
  });

  it("waits for the application's hooks still due and for active workloads (wait-for)", async () => {
    const model = new Model();
    model.units = {
      etcd: { 'etcd/0': unit('waiting', 'idle'), 'etcd/1': unit('active', 'idle') },
      easyrsa: { 'easyrsa/0': unit('maintenance', 'executing') },
    };
    model.pending = ['etcd/1', 'easyrsa/0'];
    const { client, io, err } = await setup(model);
    const settled = waitForUnits(client, io, {
      timeoutMs: 10_000,
      application: 'etcd',
      requireActive: true,
      maxChangeWaitMs: 60_000,
    });
    await heldLongPolls(model.events, 1);
    model.units.etcd = { 'etcd/0': unit('active', 'idle'), 'etcd/1': unit('active', 'idle') };
    model.events.bump();
    // Every etcd unit idle and active, but etcd/1 still has a hook due: not settled yet.
    await heldLongPolls(model.events, 1);
    model.pending = ['easyrsa/0'];
    model.events.bump();
    expect(await settled).toBe('idle');
    expect(err).toEqual(['etcd/0: waiting, idle', 'etcd/1: active, idle', 'etcd/0: active, idle']);
  });

  it('waits while a deploy is still being applied', async () => {
    const model = new Model();
    model.units = { etcd: { 'etcd/0': unit('active', 'idle') } };
    model.deploying = true;
    const { client, io } = await setup(model);
    const settled = waitForUnits(client, io, { timeoutMs: 10_000, maxChangeWaitMs: 60_000 });
    await heldLongPolls(model.events, 1);
    model.deploying = false;
    model.events.bump();
    expect(await settled).toBe('idle');
  });

  it('ends with error as soon as a unit is in error', async () => {
    const model = new Model();
    model.units = { etcd: { 'etcd/0': unit('error', 'idle', 'hook failed: "install"') } };
    const { client, io, err } = await setup(model);
    expect(await waitForUnits(client, io, { timeoutMs: 10_000 })).toBe('error');
    expect(err).toEqual(['etcd/0: error, idle — hook failed: "install"']);
  });

  it('times out naming what it waited for', async () => {
    const model = new Model();
    model.units = { etcd: { 'etcd/0': unit('maintenance', 'executing') } };
    const { client, io } = await setup(model);
    const error = await waitForUnits(client, io, { timeoutMs: 100, application: 'etcd' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toMatch(/waiting for the units of etcd to settle$/);
  });

  it('still works, by polling at the cap, with a controller that has no /changes', async () => {
    const model = new Model();
    model.units = { etcd: { 'etcd/0': unit('maintenance', 'executing') } };
    let checks = 0;
    const { client, io } = await setup(model, {
      changes: () => Promise.reject(new Error('no API route GET /v1/changes')),
      status: () => {
        checks += 1;
        if (checks === 3) model.units = { etcd: { 'etcd/0': unit('active', 'idle') } };
        return Promise.resolve(model.status());
      },
    });
    expect(await waitForUnits(client, io, { timeoutMs: 10_000, maxChangeWaitMs: 20 })).toBe('idle');
    expect(checks).toBe(3);
  });
});

describe('waitForUnits through a lost controller', () => {
  let again: Server | undefined;
  afterEach(() => {
    again?.close();
    again?.closeAllConnections();
  });

  /** The first controller goes away at its first status; `reconnect` serves a second one. */
  async function lostAfterFirstStatus(reconnectFails: number) {
    const model = new Model();
    model.units = { etcd: { 'etcd/0': unit('maintenance', 'executing', 'installing') } };
    const { client, io, err } = await setup(model, {
      status: () => {
        served?.close();
        return new Promise(() => undefined);
      },
    });
    const socket = served?.socket as string;
    let reconnects = 0;
    const reconnect = async () => {
      reconnects += 1;
      if (reconnects <= reconnectFails) throw new Error('controller "test" (pid 9) is stopped');
      // The restarted controller, which finished the work meanwhile.
      model.units = { etcd: { 'etcd/0': unit('active', 'idle') } };
      again = await listen(
        fakeControllerApi(model.events, {
          status: () => Promise.resolve(model.status()),
          pending: () => ({ units: [], deploying: false }),
        }),
        socket,
      );
    };
    const settled = await waitForUnits(client, io, {
      timeoutMs: 10_000,
      maxChangeWaitMs: 20,
      reconnect,
    });
    return { settled, reconnects, err };
  }

  it('reconnects and keeps waiting until the units settle', async () => {
    const { settled, reconnects, err } = await lostAfterFirstStatus(0);
    expect(settled).toBe('idle');
    expect(reconnects).toBe(1);
    expect(err).toEqual(['etcd/0: active, idle']);
  });

  it('says once why it cannot reconnect yet, and goes on waiting', async () => {
    const { settled, reconnects, err } = await lostAfterFirstStatus(3);
    expect(settled).toBe('idle');
    expect(reconnects).toBe(4);
    expect(err).toEqual([
      'rune: controller "test" (pid 9) is stopped\n(still waiting)',
      'etcd/0: active, idle',
    ]);
  });

  it('without reconnect, a lost controller times the wait out as before', async () => {
    const model = new Model();
    const { client, io } = await setup(model, {
      status: () => {
        served?.close();
        return new Promise(() => undefined);
      },
    });
    const error = await waitForUnits(client, io, { timeoutMs: 300, maxChangeWaitMs: 20 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toMatch(/last: controller "test" is not reachable/);
  });
});
