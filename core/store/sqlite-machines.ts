// The machines table: its rows as records, and every write to it. The whole list is kept,
// shared and frozen like the unit index (sqlite-model.ts), until a machine changes: the health
// checks, the resurrector and placement read every machine every few seconds (10,000 rows:
// ~60 ms a read), and machines change rarely.
import type Database from 'better-sqlite3';
import type { MachineFacts } from '../model/machine.js';
import type { Life } from '../model/status.js';
import { MachineNotFoundError } from './errors.js';
import type { MachineRecord, NewMachine, ProviderKind } from './types.js';

export interface MachineRowsDeps {
  stmt(sql: string): Database.Statement;
  transaction<T>(fn: () => T): T;
  now(): Date;
  /** A removed machine's status history goes with it. */
  forgetHistory(id: string): void;
}

interface MachineRow {
  id: number;
  provider: string;
  instance_id: string;
  address: string;
  port: number;
  user: string;
  key_file: string;
  host_key: string;
  host_public_key: string;
  constraints: string;
  life: string;
  facts: string | null;
  created_at: string;
}

function toRecord(row: MachineRow): MachineRecord {
  const record: MachineRecord = {
    id: String(row.id),
    provider: row.provider as ProviderKind,
    instanceId: row.instance_id,
    address: row.address,
    port: row.port,
    user: row.user,
    keyFile: row.key_file,
    hostKey: row.host_key,
    hostPublicKey: row.host_public_key,
    constraints: row.constraints,
    life: row.life as Life,
    createdAt: row.created_at,
  };
  if (row.facts !== null) record.facts = JSON.parse(row.facts) as MachineFacts;
  return record;
}

export class MachineRows {
  private cache: MachineRecord[] | undefined;

  constructor(private readonly deps: MachineRowsDeps) {}

  /** Forgets the list: after a write, or a rolled-back transaction that may have made one. */
  drop(): void {
    this.cache = undefined;
  }

  reserveId(): string {
    return this.deps.transaction(() => {
      const sequence = this.deps.stmt(`SELECT next FROM sequences WHERE name = 'machine'`);
      const { next } = sequence.get() as { next: number };
      this.deps.stmt(`UPDATE sequences SET next = ? WHERE name = 'machine'`).run(next + 1);
      return String(next);
    });
  }

  add(machine: NewMachine): MachineRecord {
    this.drop();
    this.deps
      .stmt(
        `INSERT INTO machines (id, provider, instance_id, address, port, user, key_file,
             host_key, host_public_key, constraints, life, facts, created_at)
           VALUES (@id, @provider, @instanceId, @address, @port, @user, @keyFile,
             @hostKey, @hostPublicKey, @constraints, 'alive', @facts, @createdAt)`,
      )
      .run({
        ...machine,
        id: Number(machine.id),
        facts: machine.facts ? JSON.stringify(machine.facts) : null,
        createdAt: this.deps.now().toISOString(),
      });
    return this.get(machine.id) as MachineRecord;
  }

  /** Shared and frozen: callers read it, never edit it. */
  all(): MachineRecord[] {
    if (this.cache) return this.cache;
    const rows = this.deps.stmt(`SELECT * FROM machines ORDER BY id`).all() as MachineRow[];
    this.cache = Object.freeze(rows.map((r) => Object.freeze(toRecord(r)))) as MachineRecord[];
    return this.cache;
  }

  ids(): string[] {
    return this.all().map((m) => m.id);
  }

  get(id: string): MachineRecord | undefined {
    if (!/^(0|[1-9][0-9]*)$/.test(id)) return undefined;
    const row = this.deps.stmt(`SELECT * FROM machines WHERE id = ?`).get(Number(id)) as
      MachineRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  setFacts(id: string, facts: MachineFacts): void {
    this.update(id, `UPDATE machines SET facts = ? WHERE id = ?`, JSON.stringify(facts));
  }

  setLife(id: string, life: Life): void {
    this.update(id, `UPDATE machines SET life = ? WHERE id = ?`, life);
  }

  remove(id: string): void {
    this.drop();
    this.deps.transaction(() => {
      const changed = this.deps.stmt(`DELETE FROM machines WHERE id = ?`).run(Number(id)).changes;
      if (changed === 0) throw new MachineNotFoundError(id);
      this.deps.forgetHistory(id);
    });
  }

  private update(id: string, sql: string, value: string): void {
    this.drop();
    const changed = this.deps.stmt(sql).run(value, Number(id)).changes;
    if (changed === 0) throw new MachineNotFoundError(id);
  }
}
