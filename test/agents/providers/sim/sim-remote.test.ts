// A sim machine seen as the controller sees a host (sim-remote.ts): commands, streams and files
// reach the sim machine; its facts say sim; a lost machine answers nothing, not even its facts.
import { describe, expect, it } from 'vitest';
import { simMachine } from '../../../../agents/providers/sim/sim-machine.js';
import { simRemoteMachine } from '../../../../agents/providers/sim/sim-remote.js';

const quick = () => simMachine('sim-4', { sleep: () => Promise.resolve() });

describe('a sim machine over the RemoteMachine interface', () => {
  it('runs, streams and writes through to the sim machine; its facts say sim', async () => {
    const sim = quick();
    const remote = simRemoteMachine(sim, '10.0.0.6');
    await remote.writeFiles([{ path: '/a', data: 'x' }]);
    const out: string[] = [];
    const code = await remote.stream('cat /a', {
      stdout: (c) => out.push(c.toString()),
      stderr: () => undefined,
    });
    expect([code, out]).toEqual([0, ['x']]);
    expect((await remote.run('nope')).code).toBe(127);
    expect(await remote.facts()).toMatchObject({ os: 'sim', addresses: ['10.0.0.6'] });
  });

  it('a lost machine answers nothing', async () => {
    const sim = quick();
    const remote = simRemoteMachine(sim, '10.0.0.6');
    sim.lose();
    await expect(remote.facts()).rejects.toThrow(/does not answer/);
  });
});
