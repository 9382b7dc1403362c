// The embedded store: machine ids never reused, state survives a reopen, WAL on, and a store
// from a newer Rune is refused rather than misread.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MachineNotFoundError, SchemaVersionError } from '../../../core/store/errors.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import type { NewMachine, Store } from '../../../core/store/types.js';
import { openStore } from './open-store.js';

const machine = (store: Store, address: string): NewMachine => ({
  id: store.reserveMachineId(),
  provider: 'local',
  instanceId: `ns-${address}`,
  address,
  port: 22,
  user: 'root',
  keyFile: '/k',
  hostKey: 'SHA256:abc',
  hostPublicKey: 'ssh-ed25519 AAAA',
  constraints: '',
});

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'rune-store-')), 'store.db');

describe('SqliteStore', () => {
  it('gives machines increasing ids and never reuses one', () => {
    const store = openStore(tempFile());
    store.reserveMachineId(); // a machine that failed to start: its id stays used
    store.reserveMachineId();
    expect(store.addMachine(machine(store, '10.0.0.2')).id).toBe('2');
    expect(store.addMachine(machine(store, '10.0.0.3')).id).toBe('3');
    store.removeMachine('3');
    expect(store.addMachine(machine(store, '10.0.0.4')).id).toBe('4');
    expect(store.machines().map((m) => [m.id, m.address])).toEqual([
      ['2', '10.0.0.2'],
      ['4', '10.0.0.4'],
    ]);
    // Recorded machines only, in numeric order (10 after 9), without reading their records.
    for (let n = 0; n < 8; n++) store.addMachine(machine(store, `10.0.1.${n}`));
    expect(store.machineIds()).toEqual(store.machines().map((m) => m.id));
    expect(store.machineIds().slice(-2)).toEqual(['11', '12']);
    store.close();
  });

  it('keeps machines, facts and life across a reopen', () => {
    const file = tempFile();
    const first = openStore(file);
    const m = first.addMachine(machine(first, '10.0.0.2'));
    first.setMachineLife(m.id, 'dying');
    first.setMachineFacts(m.id, {
      os: 'debian',
      osVersion: '12',
      arch: 'amd64',
      cores: 2,
      memoryBytes: 1024,
      rootDiskBytes: 2048,
      addresses: ['10.0.0.2'],
      hostname: 'm0',
      systemd: false,
      snapd: false,
    });
    first.close();
    const again = openStore(file);
    expect(again.machine('0')).toMatchObject({ life: 'dying', facts: { os: 'debian', cores: 2 } });
    expect(again.addMachine(machine(again, '10.0.0.3')).id).toBe('1');
    again.close();
  });

  it('runs in WAL mode', () => {
    const file = tempFile();
    new SqliteStore(file).close();
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a store written by a newer schema', () => {
    const file = tempFile();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteStore(file)).toThrow(SchemaVersionError);
    expect(() => new SqliteStore(file)).toThrow(/schema version 99.*upgrade Rune/);
  });

  it('says which machine is missing', () => {
    const store = openStore(tempFile());
    expect(() => store.removeMachine('7')).toThrow(MachineNotFoundError);
    expect(() => store.setMachineLife('7', 'dead')).toThrow('machine 7 not found');
    expect(store.machine('07')).toBeUndefined();
    store.close();
  });
});
