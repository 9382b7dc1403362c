// The controller's behaviour behind its API: adding machines (local or manual), removing them,
// running commands on them, and reporting status. I/O goes through the injected provider,
// connection function and store, so tests can swap any of them.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineFacts } from '../../agents/machine/types.js';
import { parseSshTarget } from '../../agents/providers/manual/ssh-target.js';
import type { MachineProvider } from '../../agents/providers/types.js';
import { MachineNotFoundError } from '../store/errors.js';
import type { ApplicationRecord, HookLogEntry, MachineRecord, Store } from '../store/types.js';
import { MachineLock } from '../../agents/machine/lock.js';
import { charmMachine } from '../../agents/unit/charm-machine.js';
import { defaultRetryDelay, hasWorkDue, type LoadedCharm } from '../../agents/unit/runtime.js';
import { checkModelConfig, MODEL_SETTINGS, updateStatusIntervalMs } from './model-config.js';
import { CharmRepository } from '../charm/repository.js';
import { boundedLock, HookSlots } from './hook-slots.js';
import { ModelOperations } from './model-operations.js';
import { modelStatus } from './model-status.js';
import { UnitRunner } from './unit-runner.js';
import type {
  ConfigOptionView,
  AddUnitsRequest,
  DeployRequest,
  DeployResponse,
  AddMachinesRequest,
  AddMachinesResponse,
  AddedMachine,
  MachineStatusView,
  PingResponse,
  SshAccess,
  StatusResponse,
} from './api.js';
import type { ControllerApi } from './api-server.js';
import type { Connect, Connected } from './machine-pool.js';
import { MachinePool } from './machine-pool.js';
import type { ControllerPaths } from './paths.js';
import type { ControllerInfo } from './registry.js';
import {
  InvalidTargetError,
  KeyFileError,
  NoCharmRuntimeError,
  NoProviderError,
} from './errors.js';

export interface ControllerDeps {
  info: ControllerInfo;
  paths: ControllerPaths;
  version: string;
  store: Store;
  connect: Connect;
  /** The provider that makes machines (local); undefined on a manual controller. */
  provider?: () => MachineProvider;
  /** How long a status probe waits for each machine. */
  probeTimeoutMs?: number;
  /** Called after shutdown has released everything, to end the process. */
  exit?: () => void;
  /** Loads a deployed application's charm and code for its unit agents. */
  loadCharm?: (app: ApplicationRecord) => Promise<LoadedCharm>;
  /** Charms by reference (charms/ and paths), shared with the unit agents. */
  charms?: CharmRepository;
}

const MIB = 1024 * 1024;

export function hardware(facts: MachineFacts | undefined): string {
  if (!facts) return '';
  const mem = Math.round(facts.memoryBytes / MIB);
  const disk = Math.round(facts.rootDiskBytes / MIB);
  return `arch=${facts.arch} cores=${facts.cores} mem=${mem}M root-disk=${disk}M`;
}

export class Controller implements ControllerApi {
  readonly pool: MachinePool;
  readonly lock = new MachineLock();
  readonly runner: UnitRunner;
  private readonly operations: ModelOperations;
  private provider?: MachineProvider;

  constructor(private readonly deps: ControllerDeps) {
    this.pool = new MachinePool(deps.connect);
    const charms = deps.charms ?? new CharmRepository();
    const loadCharm = deps.loadCharm;
    this.runner = new UnitRunner(deps.store, {
      store: deps.store,
      loadCharm: (app) => {
        if (!loadCharm) throw new NoCharmRuntimeError();
        return loadCharm(app);
      },
      machine: async (id) => {
        const record = this.record(id);
        const remote = await this.pool.get(record);
        return charmMachine(remote, record.facts ?? (await remote.facts()), id);
      },
      address: (id) => deps.store.machine(id)?.address ?? '',
      lock: boundedLock(this.lock, new HookSlots(16)),
      now: () => Date.now(),
      // Read on every decision, so `rune model-config` takes effect without a restart.
      get updateStatusIntervalMs() {
        return updateStatusIntervalMs(deps.store.modelConfig());
      },
      retryDelayMs: defaultRetryDelay,
    });
    this.operations = new ModelOperations({
      store: deps.store,
      charms,
      addMachine: async (constraints) => {
        if (!deps.provider) throw new NoProviderError(deps.info.name);
        this.provider ??= deps.provider();
        return (await this.addLocal(this.provider, constraints)).id;
      },
      wake: () => this.runner.wake(),
    });
  }

  /** Called once at start-up, before serving: finishes a deploy the last run died in. */
  resumeDeploys(): Promise<string[]> {
    return this.operations.resumeDeploys();
  }

  deploy(request: DeployRequest): Promise<DeployResponse> {
    return this.operations.deploy(request.bundle, request.overlays);
  }

  addUnits(request: AddUnitsRequest): Promise<{ units: string[] }> {
    const count = Number.isInteger(request.count) && request.count > 0 ? request.count : 1;
    return this.operations
      .addUnits(request.application, count, request.to)
      .then((units) => ({ units }));
  }

  relate(request: { a: string; b: string }): { relation: string } {
    return { relation: this.operations.relate(request.a, request.b) };
  }

  resolve(request: { unit: string; retry: boolean }): void {
    this.operations.resolve(request.unit, request.retry);
  }

  removeUnits(request: { units: string[]; force: boolean }): void {
    this.operations.removeUnits(request.units, request.force);
  }

  removeApplication(request: { application: string; force: boolean }): void {
    this.operations.removeApplication(request.application, request.force);
  }

  removeRelation(request: { a: string; b: string }): { relation: string } {
    return { relation: this.operations.removeRelation(request.a, request.b) };
  }

  config(application: string): { options: Record<string, ConfigOptionView> } {
    return { options: this.operations.config(application) };
  }

  setConfig(request: {
    application: string;
    values: Record<string, string>;
    reset: string[];
  }): void {
    this.operations.setConfig(request.application, request.values, request.reset);
  }

  /** Units with a hook due now or still waiting for their machine, and whether a deploy is
   * being applied (a resumed one adds units no status has shown yet). */
  pending(): { units: string[]; deploying: boolean } {
    const { store } = this.deps;
    const machines = new Set(store.machines().map((m) => m.id));
    const deps = {
      store,
      now: () => Date.now(),
      updateStatusIntervalMs: updateStatusIntervalMs(store.modelConfig()),
    };
    const units = store
      .units()
      .filter((u) => !machines.has(u.machine) || hasWorkDue(u.name, deps))
      .map((u) => u.name);
    return { units, deploying: store.unfinishedDeploys().length > 0 };
  }

  modelConfig(): {
    settings: Record<string, { value: string; source: 'default' | 'user'; description: string }>;
  } {
    const set = this.deps.store.modelConfig();
    const settings = Object.fromEntries(
      Object.entries(MODEL_SETTINGS).map(([key, s]) => [
        key,
        {
          value: set[key] ?? s.default,
          source: key in set ? ('user' as const) : ('default' as const),
          description: s.description,
        },
      ]),
    );
    return { settings };
  }

  setModelConfig(values: Record<string, string>): void {
    checkModelConfig(values);
    this.deps.store.setModelConfig(values);
    this.runner.wake();
  }

  hookLog(after: number): { entries: HookLogEntry[] } {
    return { entries: this.operations.hookLog(after) };
  }

  ping(): PingResponse {
    const { info, version } = this.deps;
    return { name: info.name, id: info.id, version, pid: process.pid };
  }

  async addMachines(request: AddMachinesRequest): Promise<AddMachinesResponse> {
    const count = Number.isInteger(request.count) && request.count > 0 ? request.count : 1;
    if (request.target !== undefined) {
      return {
        machines: [
          await this.addManual(request.target, request.privateKeyFile, request.constraints),
        ],
      };
    }
    if (!this.deps.provider) throw new NoProviderError(this.deps.info.name);
    this.provider ??= this.deps.provider();
    const machines: AddedMachine[] = [];
    // One at a time: each is well under a second, and a failure stops the rest cleanly.
    for (let i = 0; i < count; i++)
      machines.push(await this.addLocal(this.provider, request.constraints));
    return { machines };
  }

  private async addLocal(provider: MachineProvider, constraints: string): Promise<AddedMachine> {
    const { store, paths, connect } = this.deps;
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
        provider: 'local',
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
    this.pool.adopt(id, connected.machine);
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
    return { id, address: parsed.host, hostKey: connected.hostKey.fingerprint };
  }

  async removeMachine(id: string, _force: boolean): Promise<void> {
    // --force will matter once units live on machines (issue 4): it removes them too.
    const record = this.record(id);
    this.deps.store.setMachineLife(id, 'dying');
    await this.pool.forget(id);
    if (record.provider === 'local') {
      this.provider ??= this.deps.provider?.();
      await this.provider?.destroy(record.instanceId);
    }
    this.deps.store.removeMachine(id);
  }

  sshAccess(id: string): SshAccess {
    const record = this.record(id);
    return {
      address: record.address,
      port: record.port,
      user: record.user,
      keyFile: record.keyFile,
      hostPublicKey: record.hostPublicKey,
    };
  }

  async exec(
    machine: string,
    command: string,
    sink: { out(chunk: Buffer): void; err(chunk: Buffer): void },
    signal: AbortSignal,
  ): Promise<number> {
    const remote = await this.pool.get(this.record(machine));
    return remote.stream(
      command,
      { stdout: (chunk) => sink.out(chunk), stderr: (chunk) => sink.err(chunk) },
      { signal },
    );
  }

  async status(): Promise<StatusResponse> {
    const { info, version, store } = this.deps;
    const records = store.machines();
    const timeout = this.deps.probeTimeoutMs ?? 3000;
    const health = await Promise.all(records.map((r) => this.pool.probe(r, timeout)));
    const machines: Record<string, MachineStatusView> = {};
    records.forEach((record, i) => {
      const h = health[i];
      const up = h?.reachable === true;
      const view: MachineStatusView = {
        'machine-status': {
          current: up ? 'started' : 'down',
          message: up ? '' : (h?.message ?? ''),
          since: h?.since ?? record.createdAt,
        },
        'agent-status': {
          current: up ? 'idle' : 'lost',
          message: '',
          since: h?.since ?? record.createdAt,
        },
        'dns-name': record.address,
        'instance-id': record.instanceId,
        base: record.facts ? `${record.facts.os}@${record.facts.osVersion}` : '',
        hardware: hardware(record.facts),
      };
      if (record.constraints !== '') view.constraints = record.constraints;
      machines[record.id] = view;
    });
    return {
      model: { name: 'default', controller: info.name, cloud: info.provider, version },
      machines,
      ...modelStatus(store),
    };
  }

  async shutdown(destroy: boolean): Promise<void> {
    await this.runner.stop();
    await this.pool.closeAll();
    if (destroy) {
      for (const record of this.deps.store.machines()) {
        if (record.provider !== 'local') continue;
        this.provider ??= this.deps.provider?.();
        await this.provider?.destroy(record.instanceId);
      }
    }
    this.deps.store.close();
    this.deps.exit?.();
  }

  private record(id: string): MachineRecord {
    const record = this.deps.store.machine(id);
    if (!record) throw new MachineNotFoundError(id);
    return record;
  }
}
