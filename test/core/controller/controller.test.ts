// The controller's machine verbs against FAKE machines (test/fakes/fake-machine.ts): ids,
// pinning, nothing recorded on failure, status shape. Real SSH is in test/integration.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineCharm, loadCharm } from '../../../core/charm/index.js';
import type { ControllerDeps } from '../../../core/controller/controller.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { fakeController } from '../../fakes/fake-controller.js';
import { applicationRecord } from '../../fakes/application-record.js';

function setup(provider: 'local' | 'manual' = 'local', deps: Partial<ControllerDeps> = {}) {
  return fakeController({ provider, deps });
}

describe('Controller machines', () => {
  it('adds local machines with new ids, pinning the key the provider generated', async () => {
    const { controller, store, world } = setup();
    const added = await controller.addMachines({ count: 2, constraints: 'mem=1G' });
    expect(added.machines.map((m) => [m.id, m.address])).toEqual([
      ['0', '10.99.0.2'],
      ['1', '10.99.0.3'],
    ]);
    expect(world.attempts.map((a) => a.policy.pinned)).toEqual([world.hostKey, world.hostKey]);
    expect(store.machines().map((m) => [m.id, m.hostKey, m.constraints])).toEqual([
      ['0', world.hostKey, 'mem=1G'],
      ['1', world.hostKey, 'mem=1G'],
    ]);
  });

  it('destroys a local machine it could not reach and records nothing', async () => {
    const { controller, store, world, fakeProvider } = setup();
    world.down.add('10.99.0.2');
    await expect(controller.addMachines({ count: 1, constraints: '' })).rejects.toThrow(
      /cannot reach/,
    );
    expect(store.machines()).toEqual([]);
    expect(fakeProvider.destroyed).toEqual(['fake-m0']);
    // The failed machine's id stays used: ids are never reused.
    expect((await controller.addMachines({ count: 1, constraints: '' })).machines[0]?.id).toBe('1');
  });

  it('adds a manual machine on first contact and pins what it presented', async () => {
    const { controller, store, world, paths } = setup('manual');
    world.hosts.add('192.0.2.7');
    const key = join(paths.dir, 'given.key');
    writeFileSync(key, 'KEY', { mode: 0o600 });
    const added = await controller.addMachines({
      target: 'ssh:ubuntu@192.0.2.7:2222',
      privateKeyFile: key,
      count: 1,
      constraints: '',
    });
    expect(added.machines).toEqual([{ id: '0', address: '192.0.2.7', hostKey: world.hostKey }]);
    expect(world.attempts[0]?.policy).toEqual({});
    expect(world.attempts[0]?.target).toMatchObject({
      host: '192.0.2.7',
      port: 2222,
      user: 'ubuntu',
    });
    expect(store.machine('0')).toMatchObject({
      provider: 'manual',
      user: 'ubuntu',
      hostKey: world.hostKey,
    });
    expect(store.machine('0')?.keyFile).toBe(join(paths.keys, 'machine-0.key'));
  });

  it('connects to a manual machine as soon as it is added, so its first hook need not', async () => {
    const { controller, world } = setup('manual');
    world.hosts.add('192.0.2.7');
    await controller.addMachines({ target: 'ssh:192.0.2.7', count: 1, constraints: '' });
    // First contact (trust on first use), then the pool's own connection, pinned to what the
    // host presented; a status read without probing already shows the machine started.
    expect(world.attempts.map((a) => a.policy)).toEqual([{}, { pinned: world.hostKey }]);
    const status = await controller.status(false);
    expect(status.machines['0']?.['machine-status'].current).toBe('started');
    // The first hook on it reuses that connection.
    const sink = { out: () => undefined, err: () => undefined };
    await controller.exec('0', 'true', sink, new AbortController().signal);
    expect(world.attempts).toHaveLength(2);
  });

  it.each([
    ['ssh:', 'invalid target "ssh:": the host is missing'],
    [
      'ssh:10.0.0.300',
      'invalid target "ssh:10.0.0.300": "10.0.0.300" is not a host name or IPv4 address',
    ],
    ['ssh:192.0.2.99', 'cannot reach 192.0.2.99:22'],
  ])('refuses %s with a clear error and records nothing', async (target, message) => {
    const { controller, store } = setup('manual');
    await expect(controller.addMachines({ target, count: 1, constraints: '' })).rejects.toThrow(
      message,
    );
    expect(store.machines()).toEqual([]);
  });

  it('refuses a missing key file by name', async () => {
    const { controller, world } = setup('manual');
    world.hosts.add('192.0.2.7');
    await expect(
      controller.addMachines({
        target: 'ssh:192.0.2.7',
        privateKeyFile: '/nope/key',
        count: 1,
        constraints: '',
      }),
    ).rejects.toThrow('cannot read private key /nope/key: no such file');
  });

  it('a manual controller makes no machines of its own', async () => {
    const { controller } = setup('manual');
    await expect(controller.addMachines({ count: 1, constraints: '' })).rejects.toThrow(
      /makes no machines of its own/,
    );
  });

  it('refuses to remove a manual machine that runs a controller member, changing nothing', async () => {
    const { controller, store, world, paths } = fakeController({
      provider: 'manual',
      info: (created) => ({
        ...created,
        ha: {
          members: 3,
          store: { endpoints: [], tls: { caFile: '', certFile: '', keyFile: '' } },
          clusterFile: '',
          enabledAt: '2026-12-07T00:00:00.000Z',
          hosts: [
            {
              member: 1,
              machine: '0',
              address: '192.0.2.7',
              sshPort: 22,
              user: 'root',
              keyFile: '',
              hostKey: '',
              api: '192.0.2.7:17070',
              node: '/usr/bin/node',
            },
          ],
        },
      }),
    });
    world.hosts.add('192.0.2.7');
    const key = join(paths.dir, 'given.key');
    writeFileSync(key, 'KEY', { mode: 0o600 });
    await controller.addMachines({
      target: 'ssh:root@192.0.2.7',
      privateKeyFile: key,
      count: 1,
      constraints: '',
    });
    await expect(controller.removeMachine('0', true)).rejects.toThrow(
      'machine 0 runs member 1 of controller "test" (enable-ha --to); removing it would take a member and its store member away; nothing was changed',
    );
    expect(store.machines().map((m) => [m.id, m.life])).toEqual([['0', 'alive']]);
  });

  it('removes a machine once; the second time it is not found', async () => {
    const { controller, store, fakeProvider } = setup();
    await controller.addMachines({ count: 2, constraints: '' });
    await controller.removeMachine('0', false);
    expect(fakeProvider.destroyed).toEqual(['fake-m0']);
    expect(store.machines().map((m) => m.id)).toEqual(['1']);
    await expect(controller.removeMachine('0', false)).rejects.toThrow(
      'machine 0 not found; rune status lists the machines',
    );
    expect(store.machines().map((m) => m.id)).toEqual(['1']);
  });

  it('reports machines as Juju does, and a machine that stopped answering as down', async () => {
    const { controller, world } = setup();
    await controller.addMachines({ count: 2, constraints: '' });
    world.down.add('10.99.0.3');
    const status = await controller.status();
    expect(status.model).toEqual({
      name: 'default',
      controller: 'test',
      cloud: 'local',
      version: '0.1.0',
    });
    expect(status.machines['0']).toMatchObject({
      'machine-status': { current: 'started', message: '' },
      'agent-status': { current: 'idle' },
      'dns-name': '10.99.0.2',
      'instance-id': 'fake-m0',
      base: 'debian@12',
      hardware: 'arch=amd64 cores=2 mem=2048M root-disk=16384M',
    });
    expect(status.machines['1']).toMatchObject({
      'machine-status': { current: 'down', message: '10.99.0.3 is down' },
      'agent-status': { current: 'lost' },
    });
  });

  it('units on a machine that stopped answering show lost, their last message kept; back when it answers', async () => {
    // Every status probes (no window in which the last probe is answer enough).
    const { controller, world, store } = setup('local', { statusProbeMaxAgeMs: 0 });
    await controller.addMachines({ count: 2, constraints: '' });
    store.addApplication(applicationRecord('etcd'));
    for (const n of [0, 1]) {
      store.addUnit({ name: `etcd/${n}`, machine: String(n) });
      store.setUnitStatus(`etcd/${n}`, {
        workloadStatus: { current: 'active', message: 'Healthy', since: '2026-12-07T00:00:00Z' },
        agentStatus: { current: 'idle', message: '', since: '2026-12-07T00:00:00Z' },
      });
    }
    world.down.add('10.99.0.3');
    const units = async () => (await controller.status()).applications?.['etcd']?.units ?? {};
    const lost = await units();
    expect(lost['etcd/1']).toMatchObject({
      'agent-status': { current: 'lost', message: 'agent is not communicating with the server' },
      'workload-status': { current: 'unknown', message: 'Healthy' },
    });
    expect(lost['etcd/0']).toMatchObject({
      'agent-status': { current: 'idle' },
      'workload-status': { current: 'active', message: 'Healthy' },
    });
    world.down.delete('10.99.0.3');
    expect((await units())['etcd/1']).toMatchObject({
      'agent-status': { current: 'idle' },
      'workload-status': { current: 'active', message: 'Healthy' },
    });
  });

  it('a status read without probe shows the last probe, touching no machine', async () => {
    const { controller, world } = setup();
    await controller.addMachines({ count: 1, constraints: '' });
    world.down.add('10.99.0.2');
    const cached = await controller.status(false);
    expect(cached.machines['0']?.['machine-status'].current).toBe('started');
    const probed = await controller.status();
    expect(probed.machines['0']?.['machine-status'].current).toBe('down');
  });

  it('a status shortly after a probe shows what it saw; an older probe is made again', async () => {
    const { controller, world } = setup('local', { statusProbeMaxAgeMs: 60_000 });
    await controller.addMachines({ count: 1, constraints: '' });
    await controller.status(); // its first probe
    world.down.add('10.99.0.2');
    const recent = await controller.status();
    expect(recent.machines['0']?.['machine-status'].current).toBe('started');
    await controller.checkHealth(); // the health checks' probe, every 5 s
    const probed = await controller.status();
    expect(probed.machines['0']?.['machine-status'].current).toBe('down');
    const again = setup('local', { statusProbeMaxAgeMs: 0 });
    await again.controller.addMachines({ count: 1, constraints: '' });
    await again.controller.status();
    again.world.down.add('10.99.0.2');
    const fresh = await again.controller.status();
    expect(fresh.machines['0']?.['machine-status'].current).toBe('down');
  });

  it('reconnects with the pinned key after a connection was dropped', async () => {
    const { controller, world } = setup();
    await controller.addMachines({ count: 1, constraints: '' });
    await controller.pool.drop('0');
    world.hostKey = 'SHA256:otherkey';
    const status = await controller.status();
    expect(status.machines['0']?.['machine-status']).toMatchObject({
      current: 'down',
      message: 'host key changed for 10.99.0.2',
    });
  });
});

describe('Controller event bus', () => {
  it('moves the generation on machine changes and on health changes, not on a quiet probe', async () => {
    const { controller, world } = setup('local', { statusProbeMaxAgeMs: 0 });
    const start = controller.events.generation;
    await controller.addMachines({ count: 1, constraints: '' });
    const added = controller.events.generation;
    expect(added).toBeGreaterThan(start);
    await controller.status();
    // Same health as when it was added: nothing to tell.
    expect(controller.events.generation).toBe(added);
    world.down.add('10.99.0.2');
    await controller.status();
    const down = controller.events.generation;
    expect(down).toBeGreaterThan(added);
    await controller.removeMachine('0', false);
    expect(controller.events.generation).toBeGreaterThan(down);
  });

  it('moves the generation on a model change made through the API', () => {
    const { controller } = setup();
    const start = controller.events.generation;
    controller.setModelConfig({ 'update-status-hook-interval': '10m' });
    expect(controller.events.generation).toBeGreaterThan(start);
  });

  it('warms a deployed charm as it loads it, before any unit runs a hook', async () => {
    const warmed: string[] = [];
    const { controller, home } = setup('local', {
      loadCharm: (app) =>
        Promise.resolve({
          charm: loadCharm(app.charmDir),
          module: defineCharm({ warm: () => void warmed.push(app.name) }),
        }),
    });
    const bundle = join(home, 'bundle.yaml');
    writeFileSync(bundle, 'applications:\n  easyrsa:\n    charm: easyrsa\n    num_units: 1\n');
    await controller.deploy({ bundle, overlays: [] });
    await waitFor('the easyrsa charm warmed', () => warmed.includes('easyrsa'), {
      timeoutMs: 5_000,
    });
    expect(warmed).toEqual(['easyrsa']);
    await controller.shutdown(false);
  });

  it('answers a held /changes wait when it shuts down', async () => {
    const { controller } = setup();
    const held = controller.changes(
      controller.events.generation,
      60_000,
      new AbortController().signal,
    );
    await controller.shutdown(false);
    expect(await held).toEqual({ generation: controller.events.generation });
  }, 5_000);
});
