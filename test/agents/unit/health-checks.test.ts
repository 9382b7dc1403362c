// The machine agent's health checks with the real executor, store and SDK (executor-setup.ts)
// on the SDK's FAKE machine: a failing check sets the unit's status at once and makes a
// reconcile due; the reconcile repairs; the check, run again right after it, passes and the
// charm reports active. Checks never run while the machine's lock is held (a hook runs).
import { describe, expect, it } from 'vitest';
import type { MachineLock } from '../../../agents/machine/lock.js';
import { type CheckMachine, HealthChecks } from '../../../agents/unit/health-checks.js';
import type { LocalState } from '../../../agents/unit/state.js';
import { fakeMachine } from '../../../core/charm/fake-machine.js';
import { defineCharm } from '../../../core/charm/sdk.js';
import type { CommandResult } from '../../../core/model/machine.js';
import { setup } from './executor-setup.js';

/** A charm whose reconcile keeps its `web` service running and declares two checks on it. */
const web = defineCharm({
  reconcile: async (ctx) => {
    await ctx.machine.services.ensure({ name: 'web', command: ['/usr/bin/web'] });
    ctx.checks.set('ping', { command: 'ping-web', everyMs: 10_000 });
    ctx.checks.set('web', { service: 'web', everyMs: 10_000 });
    ctx.status.set('active', 'Serving');
  },
});

async function running(options: { unreachable?: boolean; toldOfWrites?: boolean } = {}) {
  const unit = await setup(1, web);
  const machine = fakeMachine();
  unit.deps.machine = () => Promise.resolve(machine.machine);
  let ping: CommandResult = { code: 0, stdout: Buffer.from('pong\n'), stderr: Buffer.alloc(0) };
  const pings: string[] = [];
  const triggered: string[] = [];
  const logged: string[] = [];
  const checks = new HealthChecks({
    store: unit.store,
    // executor-setup's lock is the real MachineLock, typed as the executor sees it.
    lock: unit.deps.lock as MachineLock,
    machine: (): Promise<CheckMachine> =>
      options.unreachable === true
        ? Promise.reject(new Error('connect ECONNREFUSED 10.0.0.2:22'))
        : Promise.resolve({
            run: (command: string) => {
              pings.push(command);
              return Promise.resolve(ping);
            },
            services: machine.machine.services,
          }),
    reachable: () => true,
    now: () => unit.deps.now(),
    onTrigger: (name) => triggered.push(name),
    log: (line) => logged.push(line),
    ...(options.toldOfWrites === undefined ? {} : { toldOfWrites: options.toldOfWrites }),
  });
  await unit.settle();
  const status = () => {
    const s = unit.store.unit('counter/0')?.workloadStatus;
    return `${s?.current} ${s?.message}`;
  };
  const hooks = () => unit.log().map((e) => e.name);
  const refuse = (stderr: string) =>
    (ping = { code: 7, stdout: Buffer.alloc(0), stderr: Buffer.from(stderr) });
  const answer = () => (ping = { code: 0, stdout: Buffer.from('pong\n'), stderr: Buffer.alloc(0) });
  return { ...unit, machine, checks, pings, triggered, logged, status, hooks, refuse, answer };
}

describe('health checks between hooks', () => {
  it('are declared by the hooks and kept with the unit', async () => {
    const { store, status } = await running();
    const local = store.unitRuntime('counter/0')?.localState as LocalState;
    expect(local.checks).toEqual({
      ping: { spec: { command: 'ping-web', everyMs: 10_000 } },
      web: { spec: { service: 'web', everyMs: 10_000 } },
    });
    expect(status()).toBe('active Serving');
  });

  it('told of runtime writes, reads a unit seen without checks again only once it is written', async () => {
    const { store, checks, pings } = await running({ toldOfWrites: true });
    const declared = store.unitRuntime('counter/0')?.localState as LocalState;
    const without: LocalState = { ...declared };
    delete without.checks;
    store.setUnitRuntime('counter/0', { localState: without });
    await checks.tick();
    expect(pings).toEqual([]);
    // Written behind its back (the controller's observed store always tells): not seen.
    store.setUnitRuntime('counter/0', { localState: declared });
    await checks.tick();
    expect(pings).toEqual([]);
    checks.written('counter/0');
    await checks.tick();
    expect(pings).toEqual(['ping-web']);
  });

  it('a stopped service: status at once, a reconcile restarts it, active again from the charm', async () => {
    const u = await running();
    await u.checks.tick();
    expect(u.triggered).toEqual([]);
    const before = u.hooks().length;

    await u.machine.machine.services.stop('web');
    u.tick(10_000);
    await u.checks.tick();
    expect(u.status()).toBe('maintenance health check web failed: service web is stopped');
    expect(u.triggered).toEqual(['counter/0']);

    // The reconcile it asked for starts the service; its own "active" cannot hide the failure
    // the check saw, until the check says otherwise.
    u.tick(1);
    await u.settle();
    expect(u.hooks().slice(before)).toEqual(['update-status']);
    expect((await u.machine.machine.services.status('web')).state).toBe('running');
    expect(u.status()).toBe('maintenance health check web failed: service web is stopped');

    // Run again as soon as that reconcile is done, not an interval later.
    u.tick(1);
    await u.checks.tick();
    expect(u.triggered).toEqual(['counter/0', 'counter/0']);
    await u.settle();
    expect(u.hooks().slice(before)).toEqual(['update-status', 'update-status']);
    expect(u.status()).toBe('active Serving');
    // The controller's log says when each verdict changed.
    expect(u.logged).toEqual([
      'counter/0: health check web failed: service web is stopped',
      'counter/0: health check web passes again',
    ]);
  });

  it('a failing command: its last line in the status until it passes', async () => {
    const u = await running();
    await u.checks.tick();
    u.refuse('curl: (7) Failed to connect to 127.0.0.1 port 80: Connection refused\n');
    u.tick(10_000);
    await u.checks.tick();
    expect(u.status()).toBe(
      'maintenance health check ping failed: curl: (7) Failed to connect to 127.0.0.1 port 80: Connection refused',
    );
    u.tick(1);
    await u.settle();
    u.tick(1);
    await u.checks.tick();
    expect(u.pings).toHaveLength(3);
    // Still failing after the reconcile it asked for: it asks once more, and the status stays.
    expect(u.triggered).toEqual(['counter/0', 'counter/0']);
    expect(u.logged.at(-1)).toMatch(/^counter\/0: health check ping still fails \(2 runs\), /);
    u.tick(1);
    await u.settle();
    u.tick(1);
    await u.checks.tick();
    // Then it backs off: the third failed run asks for nothing.
    expect(u.pings).toHaveLength(4);
    expect(u.triggered).toHaveLength(2);
    expect(u.status()).toMatch(/^maintenance health check ping failed: curl: \(7\)/);
    u.answer();
    u.tick(10_000);
    await u.checks.tick();
    await u.settle();
    expect(u.status()).toBe('active Serving');
  });

  it('a machine that cannot be asked gives no verdict: status kept, the log says why', async () => {
    const u = await running({ unreachable: true });
    await u.checks.tick();
    expect(u.status()).toBe('active Serving');
    expect(u.triggered).toEqual([]);
    expect(u.logged).toEqual(['health checks on machine 0: connect ECONNREFUSED 10.0.0.2:22']);
  });

  it('wait while the machine is locked (a hook runs there), then run', async () => {
    const u = await running();
    const release = await u.deps.lock.acquire('0');
    await u.checks.tick();
    expect(u.pings).toEqual([]);
    release();
    await u.checks.tick();
    expect(u.pings).toEqual(['ping-web']);
    // Not again before the interval.
    u.tick(9_999);
    await u.checks.tick();
    expect(u.pings).toEqual(['ping-web']);
  });
});
