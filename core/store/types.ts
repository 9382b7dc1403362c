// The store's contract (DESIGN §3): what the controller records, independent of the backend.
// SQLite serves the embedded default; an etcd backend for an HA controller can implement the same.
import type { MachineFacts } from '../../agents/machine/types.js';
import type { Life } from '../model/status.js';

export type ProviderKind = 'local' | 'manual';

/** A machine as the controller knows it: how to reach it, its pinned key, its facts. */
export interface MachineRecord {
  id: string;
  provider: ProviderKind;
  /** Provider's name for it (local: the netns); for manual machines `manual:<host>`. */
  instanceId: string;
  address: string;
  port: number;
  user: string;
  /** Path of the private key the controller uses for this machine. */
  keyFile: string;
  /** Pinned host key fingerprint (`SHA256:...`). */
  hostKey: string;
  /** The pinned host key itself (`ssh-ed25519 AAAA...`), for `rune ssh`'s known_hosts. */
  hostPublicKey: string;
  constraints: string;
  life: Life;
  facts?: MachineFacts;
  createdAt: string;
}

export type NewMachine = Omit<MachineRecord, 'life' | 'createdAt'>;

export interface Store {
  readonly schemaVersion: number;
  /**
   * Takes the next machine id (ids are never reused, DESIGN §1). A machine's id is needed
   * before it exists (local machines are named after it), so taking one and recording the
   * machine are two steps; an id whose machine failed to start is simply never used.
   */
  reserveMachineId(): string;
  /** Records a machine under an id from reserveMachineId. */
  addMachine(machine: NewMachine): MachineRecord;
  /** Sorted by numeric id. */
  machines(): MachineRecord[];
  machine(id: string): MachineRecord | undefined;
  setMachineFacts(id: string, facts: MachineFacts): void;
  setMachineLife(id: string, life: Life): void;
  removeMachine(id: string): void;
  close(): void;
}
