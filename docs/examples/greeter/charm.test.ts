// The greeter charm in the harness: state in → one hook → state out. Imports Rune by package
// name only, so the folder works copied anywhere (test/package/out-of-tree.test.ts).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Harness, type HarnessState, ImpossibleStateError } from 'rune/testing';
import { schemaValidateWrite } from 'rune/interfaces';
import { charm, page } from './charm.js';

// Check every bag the charm writes against its interface's schema (here: http), as a real
// relation would want. Unit names have a slash; application names do not.
const validateWrite = schemaValidateWrite();

const dir = fileURLToPath(new URL('.', import.meta.url));
const harness = Harness.load(dir, charm, { validateWrite });

/** greeter/0, the leader, alone: its peer relation exists (Rune adds it at deploy), empty. */
const alone = (overrides: Partial<HarnessState> = {}): HarnessState => ({
  unit: 'greeter/0',
  isLeader: true,
  relations: [{ id: 1, endpoint: 'replicas', remoteApp: 'greeter' }],
  ...overrides,
});

describe('greeter', () => {
  it('install: installs python3, writes the page, runs the service, is active', async () => {
    const out = await harness.run(alone(), 'install');
    expect(out.ok).toBe(true);
    expect(out.state.status).toEqual({ kind: 'active', message: 'serving on port 8080, 1 unit' });
    expect(out.state.machine?.packages).toEqual(['python3']);
    expect(out.state.machine?.files?.['/srv/greeter/index.html']).toBe(
      page('Hello from Rune', 'greeter/0', 1),
    );
    expect(out.state.machine?.services?.['greeter']).toEqual({
      spec: {
        name: 'greeter',
        command: ['python3', '-m', 'http.server', '8080', '--directory', '/srv/greeter'],
      },
      state: 'running',
    });
  });

  it('a new port changes the service definition, so it restarts', async () => {
    const first = await harness.run(alone(), 'install');
    const out = await harness.run({ ...first.state, config: { port: 9090 } }, 'config-changed');
    expect(out.state.status?.message).toBe('serving on port 9090, 1 unit');
    expect(out.machineCalls).toContainEqual({ op: 'service', action: 'restart', name: 'greeter' });
  });

  it('the same facts again: no restart, and nothing to commit to any relation', async () => {
    const first = await harness.run(alone(), 'install');
    const again = await harness.run(first.state, 'update-status');
    expect(again.machineCalls).not.toContainEqual(
      expect.objectContaining({ op: 'service', action: 'restart' }),
    );
    expect(again.outcome?.relations).toEqual([]);
  });

  it('a port out of range blocks the unit and touches nothing', async () => {
    const out = await harness.run(alone({ config: { port: 80 } }), 'config-changed');
    expect(out.state.status).toEqual({ kind: 'blocked', message: 'port 80 is outside 1024-65535' });
    expect(out.machineCalls).toEqual([]);
  });

  it('counts peers as they join and depart', async () => {
    const joined = await harness.run(alone(), {
      kind: 'relation-joined',
      relationId: 1,
      remoteUnit: 'greeter/1',
    });
    expect(joined.state.status?.message).toBe('serving on port 8080, 2 units');
    const departed = await harness.run(joined.state, {
      kind: 'relation-departed',
      relationId: 1,
      remoteUnit: 'greeter/1',
    });
    expect(departed.state.status?.message).toBe('serving on port 8080, 1 unit');
  });

  it('publishes its address over http; the leader also writes the application bag', async () => {
    const website = { id: 2, endpoint: 'website', remoteApp: 'proxy' };
    const state = alone({ relations: [...(alone().relations ?? []), website] });
    const out = await harness.run(state, { kind: 'relation-created', relationId: 2 });
    expect(out.ok).toBe(true);
    expect(out.state.relations?.[1]?.local).toEqual({
      'private-address': '192.0.2.1',
      hostname: '192.0.2.1',
      port: '8080',
    });
    expect(out.state.relations?.[1]?.app).toEqual({ units: '1' });
  });

  it('a follower writes only its own bag', async () => {
    const website = { id: 2, endpoint: 'website', remoteApp: 'proxy' };
    const state = alone({
      unit: 'greeter/1',
      isLeader: false,
      relations: [
        { id: 1, endpoint: 'replicas', remoteApp: 'greeter', remoteUnits: { 'greeter/0': {} } },
        website,
      ],
    });
    const out = await harness.run(state, 'config-changed');
    expect(out.state.relations?.[1]?.local?.['hostname']).toBe('192.0.2.2');
    expect(out.state.relations?.[1]?.app).toEqual({});
  });

  it('stop stops a running service, and tolerates one that was never installed', async () => {
    const running = await harness.run(alone(), 'start');
    const stopped = await harness.run(running.state, 'stop');
    expect(stopped.state.machine?.services?.['greeter']?.state).toBe('stopped');
    expect(stopped.state.status).toEqual({ kind: 'maintenance', message: 'stopped' });
    const never = await harness.run(alone(), 'stop');
    expect(never.ok).toBe(true);
  });

  it('remove cleans the service away', async () => {
    const running = await harness.run(alone(), 'start');
    const out = await harness.run(running.state, 'remove');
    expect(out.state.machine?.services).toEqual({});
  });

  it('refuses a state Rune could never produce: -changed before -joined', async () => {
    await expect(
      harness.run(alone(), { kind: 'relation-changed', relationId: 1, remoteUnit: 'greeter/1' }),
    ).rejects.toThrow(ImpossibleStateError);
  });
});
