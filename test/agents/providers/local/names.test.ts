// Local provider names: within Linux's 15-character interface limit, never shared between two
// controllers, and recognised (only) as their own controller's by the sweep.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bridgeName,
  isControllerId,
  isLocalMachineId,
  machineName,
  MAX_INTERFACE_NAME,
  MAX_LOCAL_MACHINE_ID,
  ownedName,
  vethHostName,
} from '../../../../agents/providers/local/names.js';

const controllerId = fc.stringMatching(/^[0-9a-f]{6}$/);
const machineId = fc.integer({ min: 0, max: MAX_LOCAL_MACHINE_ID }).map(String);

describe('local provider names', () => {
  it('keeps interface names within 15 characters for the largest machine id', () => {
    const longest = vethHostName('ffffff', String(MAX_LOCAL_MACHINE_ID));
    expect(longest).toBe('rnffffff-h65532');
    expect(longest.length).toBeLessThanOrEqual(MAX_INTERFACE_NAME);
    expect(bridgeName('ffffff').length).toBeLessThanOrEqual(MAX_INTERFACE_NAME);
  });

  it('gives two controllers disjoint names', () => {
    fc.assert(
      fc.property(controllerId, controllerId, machineId, machineId, (a, b, m, n) => {
        fc.pre(a !== b);
        const namesOf = (c: string, id: string): string[] => [
          bridgeName(c),
          machineName(c, id),
          vethHostName(c, id),
        ];
        const mine = namesOf(a, m);
        for (const name of namesOf(b, n)) {
          expect(mine).not.toContain(name);
          expect(ownedName(name, a)).toBeUndefined();
        }
      }),
    );
  });

  it('recognises its own names and the machine they belong to', () => {
    fc.assert(
      fc.property(controllerId, machineId, (c, m) => {
        expect(ownedName(bridgeName(c), c)).toEqual({ kind: 'bridge' });
        expect(ownedName(machineName(c, m), c)).toEqual({ kind: 'machine', machineId: m });
        expect(ownedName(vethHostName(c, m), c)).toEqual({ kind: 'veth-host', machineId: m });
      }),
    );
  });

  it.each([
    'eth0',
    'lo',
    'docker0',
    'rune-abc123-x',
    'rune-abc123-01',
    'rnabc123-h',
    'rnabc123-br0',
  ])('does not claim %s for controller abc123', (name) => {
    expect(ownedName(name, 'abc123')).toBeUndefined();
  });

  it('accepts only 6-hex controller ids and plain machine numbers up to 65532', () => {
    expect(isControllerId('0a1b2c')).toBe(true);
    for (const bad of ['0A1B2C', 'abc12', 'abc1234', 'ghijkl', ''])
      expect(isControllerId(bad)).toBe(false);
    for (const ok of ['0', '7', '65532']) expect(isLocalMachineId(ok)).toBe(true);
    for (const bad of ['65533', '007', '-1', '1/lxd/0', '', 'a'])
      expect(isLocalMachineId(bad)).toBe(false);
  });
});
