// The machine verbs behind the API: add (local, or an existing host over ssh: with its key
// pinned on first contact), remove, run commands, SSH access, and each machine's status. I/O
// goes through the injected provider, connection function and store.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineFacts } from '../model/machine.js';
import { parseSshTarget } from '../model/ssh-target.js';
import type { MachineProvider } from '../model/machine.js';
import { MachineNotFoundError } from '../store/errors.js';
import { MachineHostsMemberError } from './errors.js';
import type { MachineRecord, Store } from '../store/types.js';
import type {
  AddMachinesRequest,
  AddMachinesResponse,
  AddedMachine,
  MachineStatusView,
  SimulateRequest,
  SshAccess,
} from './api.js';
import {
  InvalidTargetError,
  KeyFileError,
  NoProviderError,
  NotSimCloudError,
  SimulatedMachineError,
} from './errors.js';
import {
  type Connect,
  type Connected,
  type Health,
  machineStatusOf,
  type MachinePool,
} from './machine-pool.js';
import type { SimulatedMachines } from './controller.js';
import type { ControllerPaths } from './paths.js';
import type { ControllerInfo } from './registry.js';

export interface MachineOperationDeps {
  info: ControllerInfo;
  paths: ControllerPaths;
  store: Store;
  connect: Connect;
  pool: MachinePool;
  /** The provider that makes machines (local); undefined on a manual controller. */
  provider?: () => MachineProvider;
  /** How long a status probe waits for each machine. */
  probeTimeoutMs?: number;
}

const MIB = 1024 * 1024;

export function hardware(facts: MachineFacts | undefined): string {
  if (!facts) return '';
  const mem = Math.round(facts.memoryBytes / MIB);
  const disk = Math.round(facts.rootDiskBytes / MIB);
  return `arch=${facts.arch} cores=${facts.cores} mem=${mem}M root-disk=${disk}M`;
}

function machineView(record: MachineRecord, h: Health | undefined): MachineStatusView {
  // Never probed (a status read that asked for no probe): say so rather than guess.
  const current = machineStatusOf(h);
  const since = h?.since ?? record.createdAt;
  const view: MachineStatusView = {
    'machine-status': { current, message: h && !h.reachable ? h.message : '', since },
    'agent-status': {
      current: h === undefined ? 'allocating' : h.reachable ? 'idle' : 'lost',
      message: '',
      since,
    },
    'dns-name': record.address,
    'instance-id': record.instanceId,
    base: record.facts ? `${record.facts.os}@${record.facts.osVersion}` : '',
    hardware: hardware(record.facts),
  };
  if (record.constraints !== '') view.constraints = record.constraints;
  return view;
}

export class MachineOperations {
  private made?: MachineProvider;

  constructor(private readonly deps: MachineOperationDeps) {}

  /** The controller's provider, made on first use; a manual controller has none. */
  provider(): MachineProvider {
    if (!this.deps.provider) throw new NoProviderError(this.deps.info.name);
    this.made ??= this.deps.provider();
    return this.made;
  }

  record(id: string): MachineRecord {
    const record = this.deps.store.machine(id);
    if (!record) throw new MachineNotFoundError(id);
    return record;
  }

  async addMachines(request: AddMachinesRequest): Promise<AddMachinesResponse> {
    if (request.target !== undefined) {
      return {
        machines: [
          await this.addManual(request.target, request.privateKeyFile, request.constraints),
        ],
      };
    }
    const machines: AddedMachine[] = [];
    // One at a time: each is well under a second, and a failure stops the rest cleanly.
    for (let i = 0; i < request.count; i++) machines.push(await this.addLocal(request.constraints));
    return { machines };
  }

  /** A new machine from the provider, reached with its generated host key pinned. */
  async addLocal(constraints: string): Promise<AddedMachine> {
    const provider = this.provider();
    const { store, paths, connect, pool } = this.deps;
    const id = store.reserveMachineId();
    const made = await provider.create(id);
    let connected: Connected | undefined;
    try {
      connected = await connect(
        {
          host: made.address,
          port: made.port,
          user: 'root',
          privateKey: readFileSync(paths.privateKey, 'utf8'),
        },
        { pinned: made.hostKeyFingerprint },
        id,
      );
      const facts = await connected.machine.facts();
      store.addMachine({
        id,
        provider: provider.kind === 'sim' ? 'sim' : 'local',
        instanceId: made.instanceId,
        address: made.address,
        port: made.port,
        user: 'root',
        keyFile: paths.privateKey,
        hostKey: connected.hostKey.fingerprint,
        hostPublicKey: connected.hostKey.publicKey,
        constraints,
        facts,
      });
    } catch (e) {
      await connected?.machine.close().catch(() => undefined);
      await provider.destroy(made.instanceId).catch(() => undefined);
      throw e;
    }
    pool.adopt(id, connected.machine);
    return { id, address: made.address, hostKey: connected.hostKey.fingerprint };
  }

  private async addManual(
    target: string,
    keyFile: string | undefined,
    constraints: string,
  ): Promise<AddedMachine> {
    const { store, paths, connect } = this.deps;
    const parsed = parseSshTarget(target);
    if ('error' in parsed) throw new InvalidTargetError(target, parsed.error);
    const sourceKey = keyFile ?? paths.privateKey;
    let privateKey: string;
    try {
      privateKey = readFileSync(sourceKey, 'utf8');
    } catch (e) {
      throw new KeyFileError(
        sourceKey,
        (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e),
      );
    }
    // Nothing is recorded until the host answered, its key was seen and its facts read.
    const connected = await connect({ ...parsed, privateKey }, {}, target);
    let facts: MachineFacts;
    try {
      facts = await connected.machine.facts();
    } catch (e) {
      await connected.machine.close().catch(() => undefined);
      throw e;
    }
    const id = store.reserveMachineId();
    let storedKey = paths.privateKey;
    if (keyFile !== undefined) {
      // A copy the controller owns, so a restart can reconnect even if the original moves.
      mkdirSync(paths.keys, { recursive: true, mode: 0o700 });
      storedKey = join(paths.keys, `machine-${id}.key`);
      copyFileSync(keyFile, storedKey);
    }
    store.addMachine({
      id,
      provider: 'manual',
      instanceId: `manual:${parsed.host}`,
      address: parsed.host,
      port: parsed.port,
      user: parsed.user,
      keyFile: storedKey,
      hostKey: connected.hostKey.fingerprint,
      hostPublicKey: connected.hostKey.publicKey,
      constraints,
      facts,
    });
    // The first connection names the machine by its target; later ones, made by the pool with
    // the pinned key, name it by id, as a user's next command (remove-machine N) will.
    await connected.machine.close();
    // The pool's own connection is opened now, so the first hook on the machine does not wait
    // for an SSH handshake (issue 16 item 8: ~0.3 s of a deploy on pre-made hosts). A host that
    // fails this probe is still added: its status says why, as it would at the next probe.
    await this.deps.pool.probe(this.record(id), this.deps.probeTimeoutMs ?? 3000);
    return { id, address: parsed.host, hostKey: connected.hostKey.fingerprint };
  }

  async removeMachine(id: string): Promise<void> {
    // A member's host stays while the member does, whatever --force says: without it the
    // controller would lose a vote in its own election and a member of its store.
    const { info } = this.deps;
    const member = info.ha?.hosts?.find((h) => h.machine === id);
    if (member !== undefined) throw new MachineHostsMemberError(id, member.member, info.name);
    const record = this.record(id);
    this.deps.store.setMachineLife(id, 'dying');
    await this.deps.pool.forget(id);
    if (record.provider !== 'manual') await this.provider().destroy(record.instanceId);
    this.deps.store.removeMachine(id);
  }

  /** destroy-controller: every machine this controller made. */
  async destroyLocal(): Promise<void> {
    for (const record of this.deps.store.machines()) {
      if (record.provider !== 'manual') await this.provider().destroy(record.instanceId);
    }
  }

  sshAccess(id: string): SshAccess {
    const record = this.record(id);
    if (record.provider === 'sim') throw new SimulatedMachineError(id, 'rune ssh or rune scp');
    const { address, port, user, keyFile, hostPublicKey } = record;
    return { address, port, user, keyFile, hostPublicKey };
  }

  /** A rehearsal on the sim cloud: the machines stop (or start again) answering at once. */
  simulate(request: SimulateRequest, sim: SimulatedMachines | undefined): void {
    if (sim === undefined) throw new NotSimCloudError(this.deps.info.name);
    // Every id is checked before any machine changes: a typo loses nothing.
    const records = request.machines.map((id) => this.record(id));
    for (const record of records) sim.setLost(record, request.action === 'lose');
  }

  async exec(
    machine: string,
    command: string,
    sink: { out(chunk: Buffer): void; err(chunk: Buffer): void },
    signal: AbortSignal,
  ): Promise<number> {
    const remote = await this.deps.pool.get(this.record(machine));
    return remote.stream(
      command,
      { stdout: (chunk) => sink.out(chunk), stderr: (chunk) => sink.err(chunk) },
      { signal },
    );
  }

  /**
   * Each machine's status. With `probe`, a round trip on every machine first, unless one ended
   * at most `maxAgeMs` ago (what `rune status` shows); without, what the last probe saw — for
   * callers that poll (--wait). `records`: the machines to show, as the caller read them
   * (status keeps the rows it read until the model changes, and a filtered status reads only
   * those it shows); else all.
   */
  async views(
    probe: boolean,
    records: readonly MachineRecord[] = this.deps.store.machines(),
    maxAgeMs = 0,
  ): Promise<Record<string, MachineStatusView>> {
    const timeout = this.deps.probeTimeoutMs ?? 3000;
    const health = probe
      ? await Promise.all(records.map((r) => this.deps.pool.probe(r, timeout, maxAgeMs)))
      : records.map((r) => this.deps.pool.health(r.id));
    return Object.fromEntries(records.map((r, i) => [r.id, machineView(r, health[i])]));
  }
}
