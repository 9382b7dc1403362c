// The SIMULATED machine (agents/providers/sim): files and services kept in memory, commands from
// a small table, every call delayed by the seeded latency model through an injected sleep (so
// nothing here waits in real time), and the same delays for the same seed. No timing assertions.
import { describe, expect, it } from 'vitest';
import { drawDelay, seededRandom } from '../../../../agents/providers/sim/latency.js';
import { SimMachineError } from '../../../../agents/providers/sim/errors.js';
import {
  simMachine,
  type SimMachineOptions,
} from '../../../../agents/providers/sim/sim-machine.js';
import { SimProvider, simAddress } from '../../../../agents/providers/sim/sim-provider.js';

/** A sleep that records what it was asked to wait and returns at once. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };
}

function machine(options: SimMachineOptions = {}) {
  const rec = recordingSleep();
  return { ...rec, sim: simMachine('sim-0', { sleep: rec.sleep, ...options }) };
}

describe('sim machine', () => {
  it('keeps files: written, read back, overwritten', async () => {
    const { sim } = machine();
    await sim.machine.writeFile('/etc/app.conf', 'a=1\n');
    await sim.machine.writeFile('/etc/bin.dat', Buffer.from('xyz'));
    expect((await sim.machine.readFile('/etc/app.conf')).toString()).toBe('a=1\n');
    await sim.machine.writeFile('/etc/app.conf', 'a=2\n');
    expect(sim.files()).toEqual({ '/etc/app.conf': 'a=2\n', '/etc/bin.dat': 'xyz' });
  });

  it('refuses to read a file that was never written, naming it', async () => {
    const { sim } = machine();
    await expect(sim.machine.readFile('/nope')).rejects.toThrow(SimMachineError);
    await expect(sim.machine.readFile('/nope')).rejects.toThrow('sim machine sim-0: no file /nope');
  });

  it('keeps service state: install says whether the spec changed; start/stop/restart/remove', async () => {
    const { sim } = machine();
    const services = sim.machine.services;
    const spec = { name: 'web', command: ['/usr/bin/web'] };
    expect(await services.install(spec)).toBe(true);
    expect(await services.install(spec)).toBe(false);
    expect(await services.status('web')).toEqual({ name: 'web', state: 'stopped' });
    await services.start('web');
    expect(sim.services()['web']?.state).toBe('running');
    await services.stop('web');
    expect(sim.services()['web']?.state).toBe('stopped');
    await services.restart('web');
    expect(await services.install({ ...spec, command: ['/usr/bin/web', '-v'] })).toBe(true);
    expect(sim.services()['web']?.state).toBe('running');
    await services.remove('web');
    expect(await services.status('web')).toEqual({ name: 'web', state: 'missing' });
    await expect(services.start('web')).rejects.toThrow('service "web" is not installed');
  });

  it('installs packages once each, sorted', async () => {
    const { sim } = machine();
    await sim.machine.installPackages(['tini', 'etcd']);
    await sim.machine.installPackages(['etcd']);
    expect(sim.packages()).toEqual(['etcd', 'tini']);
  });

  it.each([
    ['true', 0, '', ''],
    ['hostname', 0, 'sim-0\n', ''],
    ['cat /etc/hosts', 0, '127.0.0.1 localhost\n', ''],
    ['cat /missing', 1, '', 'cat: /missing: No such file or directory\n'],
    ['counter-ctl count', 0, '3\n', ''],
    ['false-ish', 2, '', 'boom'],
    ['systemctl daemon-reload', 127, '', 'sim: systemctl: command not found\n'],
  ])('answers %s from its table', async (command, code, stdout, stderr) => {
    const { sim } = machine({
      commands: { 'counter-ctl count': '3\n', 'false-ish': { code: 2, stderr: 'boom' } },
    });
    await sim.machine.writeFile('/etc/hosts', '127.0.0.1 localhost\n');
    const result = await sim.machine.run(command);
    expect([result.code, result.stdout.toString(), result.stderr.toString()]).toEqual([
      code,
      stdout,
      stderr,
    ]);
  });

  it('delays every call by fixed ± jitter through the injected sleep, before its effect', async () => {
    const { sim, waits } = machine({ latency: { fixedMs: 2, jitterMs: 0.5 }, seed: 7 });
    await sim.machine.run('true');
    await sim.machine.writeFile('/f', 'x');
    await sim.machine.readFile('/f');
    await sim.machine.services.install({ name: 's', command: ['/s'] });
    await sim.machine.services.start('s');
    await sim.machine.installPackages(['p']);
    expect(waits).toHaveLength(6);
    for (const w of waits) {
      expect(w).toBeGreaterThanOrEqual(1.5);
      expect(w).toBeLessThan(2.5);
    }
    expect(sim.stats.calls).toBe(6);
    expect(sim.stats.delayMs).toBeCloseTo(
      waits.reduce((a, b) => a + b, 0),
      9,
    );
  });

  it('applies the effect only once the delay is over', async () => {
    let release: () => void = () => undefined;
    const sim = simMachine('sim-0', {
      sleep: () => new Promise<void>((r) => (release = r)),
    });
    const write = sim.machine.writeFile('/late', 'x');
    expect(sim.files()).toEqual({});
    release();
    await write;
    expect(sim.files()).toEqual({ '/late': 'x' });
  });

  it('never waits a negative time when jitter exceeds the fixed part', async () => {
    const { sim, waits } = machine({ latency: { fixedMs: 0.1, jitterMs: 5 }, seed: 3 });
    for (let i = 0; i < 50; i++) await sim.machine.run('true');
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
  });

  it('is deterministic for a seed, and differs between seeds', async () => {
    const delays = async (seed: number) => {
      const { sim, waits } = machine({ latency: { fixedMs: 1, jitterMs: 0.5 }, seed });
      for (let i = 0; i < 20; i++) await sim.machine.run('true');
      return waits;
    };
    expect(await delays(42)).toEqual(await delays(42));
    expect(await delays(42)).not.toEqual(await delays(43));
  });
});

describe('latency model', () => {
  it('draws uniformly within [fixed - jitter, fixed + jitter)', () => {
    const random = seededRandom(1);
    const draws = Array.from({ length: 1000 }, () =>
      drawDelay({ fixedMs: 1, jitterMs: 0.5 }, random),
    );
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...draws)).toBeLessThan(1.5);
    // Both halves are reached: the jitter is not one-sided.
    expect(draws.some((d) => d < 0.75) && draws.some((d) => d > 1.25)).toBe(true);
  });

  it('with no jitter, waits exactly the fixed part', () => {
    const random = seededRandom(9);
    expect(drawDelay({ fixedMs: 3, jitterMs: 0 }, random)).toBe(3);
  });
});

describe('sim provider', () => {
  it('creates machines with unique addresses and independent seeds, and destroys them', async () => {
    const provider = new SimProvider({ latency: { fixedMs: 1, jitterMs: 0.5 }, seed: 5 });
    const a = await provider.create('0');
    const b = await provider.create('1');
    expect(a).toEqual({ instanceId: 'sim-0', address: '10.0.0.2', port: 22 });
    expect(b.address).toBe('10.0.0.3');
    expect(provider.instances()).toEqual(['sim-0', 'sim-1']);
    await provider.charmMachine('sim-0').writeFile('/only-on-0', 'x');
    expect(provider.sim('sim-1').files()).toEqual({});
    await provider.destroy('sim-0');
    await provider.destroy('sim-0');
    expect(() => provider.charmMachine('sim-0')).toThrow('sim machine sim-0 does not exist');
  });

  it('spreads addresses over the whole 10/8', () => {
    expect(simAddress(254)).toBe('10.0.1.0');
    expect(simAddress(70_000)).toBe('10.1.17.114');
  });
});

describe('a sim machine lost and healed', () => {
  it('refuses every call while lost, naming the machine, and answers again with what it held', async () => {
    const { sim } = machine();
    await sim.machine.writeFile('/etc/app.conf', 'a=1\n');
    sim.lose();
    expect(sim.lost).toBe(true);
    await expect(sim.machine.run('true')).rejects.toThrow(
      'sim machine sim-0 does not answer (lost in the simulation)',
    );
    await expect(sim.machine.readFile('/etc/app.conf')).rejects.toThrow(/does not answer/);
    sim.heal();
    expect((await sim.machine.readFile('/etc/app.conf')).toString()).toBe('a=1\n');
  });

  it('is reached by its made-up address, and a machine the model still records comes back empty', async () => {
    const provider = new SimProvider({ sleep: () => Promise.resolve() });
    const made = await provider.create('300');
    expect(provider.atAddress(made.address)?.id).toBe('sim-300');
    expect(provider.atAddress(simAddress(7))).toBeUndefined();
    expect(provider.atAddress('192.168.1.1')).toBeUndefined();
    const restarted = new SimProvider({ sleep: () => Promise.resolve() });
    restarted.revive('300');
    expect(restarted.atAddress(made.address)?.files()).toEqual({});
  });
});
