// One live connection per machine (DESIGN §5), opened on first use and reopened after a failure;
// what the pool last saw of each machine becomes its status. Connections come from `connect`,
// injected so the controller can be tested without SSH.
import { readFileSync } from 'node:fs';
import type { HostKeyPolicy, RemoteMachine, SshTarget } from '../model/machine.js';
import type { MachineRecord } from '../store/types.js';

export interface PresentedHostKey {
  /** `SHA256:...` */
  fingerprint: string;
  /** `ssh-ed25519 AAAA...`, for known_hosts. */
  publicKey: string;
}

export interface Connected {
  machine: RemoteMachine;
  hostKey: PresentedHostKey;
}

/** `label` is the machine id errors name (`rune remove-machine <label>`), or the target. */
export type Connect = (
  target: SshTarget,
  policy: HostKeyPolicy,
  label: string,
) => Promise<Connected>;

/** A machine the model knows, reached as its record says, with the host key it pinned. */
export function connectPinned(connect: Connect, record: MachineRecord): Promise<Connected> {
  return connect(
    {
      host: record.address,
      port: record.port,
      user: record.user,
      privateKey: readFileSync(record.keyFile, 'utf8'),
    },
    { pinned: record.hostKey },
    record.id,
  );
}

export interface Health {
  reachable: boolean;
  message: string;
  /** When `reachable` or `message` last changed. */
  since: string;
}

/** A machine's status as `rune status` shows it: pending until first probed. */
export function machineStatusOf(health: Health | undefined): 'pending' | 'started' | 'down' {
  return health === undefined ? 'pending' : health.reachable ? 'started' : 'down';
}

interface Entry {
  connecting?: Promise<RemoteMachine>;
  machine?: RemoteMachine;
  health?: Health;
  /** When the last probe ended (Date.now()), and the one under way: callers join it. */
  probedAt?: number;
  probing?: Promise<Health>;
}

export class MachinePool {
  private readonly entries = new Map<string, Entry>();

  /** `onHealthChange`: health is status that lives in memory, not in the store, so the event
   * bus and the status history hear of it here, with what it was before (undefined: first seen
   * since the controller started). `onProbe`: each probe's round trip, for the metrics. */
  constructor(
    private readonly connect: Connect,
    private readonly onHealthChange: (
      id: string,
      health: Health,
      before: Health | undefined,
    ) => void = () => undefined,
    private readonly onProbe: (seconds: number, reachable: boolean) => void = () => undefined,
  ) {}

  /** The machine's connection, opening it if needed; pins the recorded host key. */
  get(record: MachineRecord): Promise<RemoteMachine> {
    const entry = this.entry(record.id);
    if (entry.machine) return Promise.resolve(entry.machine);
    entry.connecting ??= this.open(record, entry);
    return entry.connecting;
  }

  /** Adopts a connection made while adding the machine, so it is not opened twice. */
  adopt(id: string, machine: RemoteMachine): void {
    this.entry(id).machine = machine;
    this.note(id, true, '');
  }

  /**
   * A cheap round trip on the machine's session, recorded as its health. A probe already under
   * way is joined; with `maxAgeMs`, a probe that ended less than that long ago is answer enough
   * (status of a 10,000-machine model would otherwise make 10,000 round trips per call, beside
   * the health checks' own every few seconds).
   */
  probe(record: MachineRecord, timeoutMs: number, maxAgeMs = 0): Promise<Health> {
    const entry = this.entry(record.id);
    const fresh = entry.probedAt !== undefined && Date.now() - entry.probedAt < maxAgeMs;
    if (entry.health && fresh) return Promise.resolve(entry.health);
    entry.probing ??= this.roundTrip(record, timeoutMs).finally(() => {
      entry.probedAt = Date.now();
      entry.probing = undefined;
    });
    return entry.probing;
  }

  private async roundTrip(record: MachineRecord, timeoutMs: number): Promise<Health> {
    const began = performance.now();
    try {
      const machine = await this.get(record);
      const result = await machine.run('true', { timeoutMs });
      this.note(
        record.id,
        result.code === 0,
        result.code === 0 ? '' : `probe exited ${result.code}`,
      );
    } catch (e) {
      this.note(record.id, false, e instanceof Error ? e.message : String(e));
      await this.drop(record.id);
    }
    const health = this.health(record.id) as Health;
    this.onProbe((performance.now() - began) / 1000, health.reachable);
    return health;
  }

  health(id: string): Health | undefined {
    return this.entries.get(id)?.health;
  }

  async drop(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    const machine = entry.machine;
    entry.machine = undefined;
    entry.connecting = undefined;
    await machine?.close().catch(() => undefined);
  }

  async forget(id: string): Promise<void> {
    await this.drop(id);
    this.entries.delete(id);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.drop(id)));
  }

  private entry(id: string): Entry {
    let entry = this.entries.get(id);
    if (!entry) this.entries.set(id, (entry = {}));
    return entry;
  }

  private async open(record: MachineRecord, entry: Entry): Promise<RemoteMachine> {
    try {
      const { machine } = await connectPinned(this.connect, record);
      entry.machine = machine;
      return machine;
    } finally {
      entry.connecting = undefined;
    }
  }

  private note(id: string, reachable: boolean, message: string): void {
    const entry = this.entry(id);
    const before = entry.health;
    if (before && before.reachable === reachable && before.message === message) return;
    entry.health = { reachable, message, since: new Date().toISOString() };
    this.onHealthChange(id, entry.health, before);
  }
}
