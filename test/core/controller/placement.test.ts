// Units on a manual model (DESIGN §8): a unit takes a free machine that meets its constraints,
// or waits unplaced until one is added; its subordinates follow it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MachineFacts } from '../../../core/model/machine.js';
import {
  freeMachine,
  placeWaitingUnits,
  satisfies,
  UNPLACED,
} from '../../../core/controller/placement.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { machineRecord } from '../../fakes/machine-record.js';

const GIB = 2 ** 30;
const facts = (over: Partial<MachineFacts> = {}): MachineFacts => ({
  os: 'debian',
  osVersion: '12',
  arch: 'amd64',
  cores: 2,
  memoryBytes: 3.9 * GIB,
  rootDiskBytes: 20 * GIB,
  addresses: ['10.0.0.2'],
  hostname: 'h',
  systemd: false,
  snapd: false,
  ...over,
});

describe('satisfies', () => {
  it('judges arch, cores, mem and root-disk, with Juju sizes', () => {
    expect(satisfies(facts(), '')).toBe(true);
    expect(satisfies(facts(), 'cores=2 mem=4G root-disk=20G arch=amd64')).toBe(true);
    expect(satisfies(facts(), 'cores=4')).toBe(false);
    expect(satisfies(facts(), 'mem=8G')).toBe(false);
    expect(satisfies(facts(), 'mem=3500')).toBe(true); // plain numbers are MiB
    expect(satisfies(facts(), 'root-disk=1T')).toBe(false);
    expect(satisfies(facts(), 'arch=arm64')).toBe(false);
  });

  it('ignores what only a cloud can honour, and refuses unknown facts', () => {
    expect(satisfies(facts(), 'instance-type=m5.large zones=a')).toBe(true);
    expect(satisfies(undefined, 'cores=1')).toBe(false);
    expect(satisfies(undefined, '')).toBe(true);
  });
});

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function model() {
  const dir = mkdtempSync(join(tmpdir(), 'rune-place-'));
  dirs.push(dir);
  const store = new SqliteStore(join(dir, 'store.db'));
  const addMachine = (f: MachineFacts) => {
    const id = store.reserveMachineId();
    store.addMachine(machineRecord(id));
    store.setMachineFacts(id, f);
    return id;
  };
  for (const [name, constraints] of [
    ['db', 'cores=4'],
    ['log', ''],
  ] as const) {
    store.addApplication({
      name,
      charm: name,
      charmDir: dir,
      subordinate: name === 'log',
      config: {},
      constraints,
    });
  }
  return { store, addMachine };
}

describe('placing units on free machines', () => {
  it('picks the lowest free machine that meets the constraints, skipping used and taken ones', () => {
    const { store, addMachine } = model();
    addMachine(facts({ cores: 8 })); // 0
    addMachine(facts({ cores: 2 })); // 1
    addMachine(facts({ cores: 4 })); // 2
    store.addUnit({ name: 'db/0', machine: '0' });
    expect(freeMachine(store, 'cores=4')).toBe('2');
    expect(freeMachine(store, 'cores=4', new Set(['2']))).toBeUndefined();
    expect(freeMachine(store, '')).toBe('1');
  });

  it('places a waiting unit and its subordinate when a fitting machine arrives', () => {
    const { store, addMachine } = model();
    store.addUnit({ name: 'db/0', machine: UNPLACED });
    store.addUnit({ name: 'log/0', machine: UNPLACED, principal: 'db/0' });
    expect(store.unit('db/0')?.workloadStatus.message).toBe('waiting for machine');
    addMachine(facts({ cores: 2 })); // too small: it keeps waiting
    expect(placeWaitingUnits(store)).toEqual([]);
    const big = addMachine(facts({ cores: 4 }));
    expect(placeWaitingUnits(store)).toEqual(['db/0']);
    expect(store.unit('db/0')?.machine).toBe(big);
    expect(store.unit('log/0')?.machine).toBe(big);
    expect(placeWaitingUnits(store)).toEqual([]);
  });
});
