// The machine pool's probes: concurrent callers share one round trip, and a caller that accepts
// a recent answer (status at scale) makes none while the last probe is young enough.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MachinePool } from '../../../core/controller/machine-pool.js';
import type { MachineRecord } from '../../../core/store/types.js';
import { FakeWorld } from '../../fakes/fake-machine.js';
import { machineRecord } from '../../fakes/machine-record.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'rune-pool-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'key'), 'not a real key: FAKE machines take any');
  const world = new FakeWorld();
  world.hosts.add('10.0.0.1');
  world.hostKey = 'SHA256:x';
  const probes: string[] = [];
  world.answer = (host, command) => void (command === 'true' && probes.push(host));
  const record = { ...machineRecord('1', { keyFile: join(dir, 'key') }), life: 'alive' };
  return { world, probes, pool: new MachinePool(world.connect), record: record as MachineRecord };
}

describe('MachinePool probes', () => {
  it('shares one round trip between concurrent probes of a machine', async () => {
    const { pool, probes, record } = setup();
    const [a, b] = await Promise.all([pool.probe(record, 1000), pool.probe(record, 1000)]);
    expect(probes).toEqual(['10.0.0.1']);
    expect(a).toBe(b);
    expect(a.reachable).toBe(true);
  });

  it('answers from a probe younger than maxAgeMs, and probes again without it', async () => {
    const { pool, probes, record, world } = setup();
    await pool.probe(record, 1000);
    world.down.add('10.0.0.1');
    expect((await pool.probe(record, 1000, 60_000)).reachable).toBe(true);
    expect(probes).toHaveLength(1);
    expect((await pool.probe(record, 1000)).reachable).toBe(false);
    expect(pool.health('1')?.message).toBe('10.0.0.1 is down');
  });
});
