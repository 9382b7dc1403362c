// The controller behind its API: wires the machine verbs (machine-operations.ts), the model
// verbs (model-operations.ts) and the unit runner over one store, pool and machine lock, and
// tells the event bus (model-events.ts) of every change they make.
// I/O goes through the injected provider, connection function and store, so tests swap them.
import { actionById, enqueueAction } from './actions.js';
import { diffModel, exportModel } from './bundle-export.js';
import { attachResources } from './resources.js';
import { commands } from './history-commands.js';
import type { HistoryResponse } from './history-view.js';
import type { RollbackRequest, RollbackResponse } from './rollback.js';
import { refresh, type RefreshRequest, type RefreshResponse } from './refresh.js';
import type { PolicyFlags } from './rollout-policy.js';
import { actOnRollout, driveRollouts, rolloutFacts } from './rollouts.js';
import { pendingUnits } from './pending-units.js';
import {
  type RolloutPolicyView,
  rolloutPolicyView,
  type SetRolloutPolicyRequest,
  setRolloutPolicy,
} from './rollout-settings.js';
import type { ActionRecord, HookLogEntry, MachineRecord, RolloutRecord } from '../store/types.js';
import { MachineLock } from '../../agents/machine/lock.js';
import { charmMachine } from '../../agents/unit/charm-machine.js';
import {
  defaultRetryDelay,
  type ExecutorDeps,
  hasWorkDue,
  stepUnit,
} from '../../agents/unit/executor.js';
import { failedHook, inRelation } from '../../agents/unit/snapshot.js';
import { HealthChecks } from '../../agents/unit/health-checks.js';
import {
  checkModelConfig,
  type ModelSettingView,
  modelConfigView,
  updateStatusIntervalMs,
} from './model-config.js';
import { CharmRepository } from '../charm/repository.js';
import { boundedLock, HookSlots } from './hook-slots.js';
import { ModelEvents } from './model-events.js';
import { RecordedOperations } from './recorded-operations.js';
import { Resurrector } from './resurrector.js';
import { warmCharm } from './charm-warmup.js';
import { observeStore } from './observed-store.js';
import { repeatEvery } from './repeat.js';
import { type ControllerMetrics, controllerMetrics, countLeaderChanges } from './metric-sources.js';
import { answerStatus } from './status-answer.js';
import { UnitRunner } from './unit-runner.js';
import type * as Api from './api.js';
import type { ControllerApi } from './api-server.js';
import { MachineOperations } from './machine-operations.js';
import { MachinePool } from './machine-pool.js';
import type { ControllerDeps } from './controller-deps.js';
import { NoCharmRuntimeError } from './errors.js';
import { healthRecorder } from './status-log.js';
import { statusLog, type StatusLogRequest, type StatusLogResponse } from './status-log-view.js';

/** How often every machine is probed: a lost machine is seen within this (issue 15 A1). */
const HEALTH_CHECK_EVERY_MS = 5_000;

export type { ControllerDeps, SimulatedMachines } from './controller-deps.js';
export { hardware } from './machine-operations.js';

export class Controller implements ControllerApi {
  readonly events = new ModelEvents();
  readonly pool: MachinePool;
  readonly lock = new MachineLock();
  readonly runner: UnitRunner;
  private stopHealthLoop = (): void => undefined;
  private readonly deps: ControllerDeps;
  private readonly operations: RecordedOperations;
  private readonly charms: CharmRepository;
  private readonly machines: MachineOperations;
  private readonly resurrector: Resurrector;
  private readonly checks: HealthChecks;
  private readonly metering: ControllerMetrics;

  constructor(given: ControllerDeps) {
    // Everything below writes through this store, so no change can miss the event bus.
    const bump = () => this.events.bump();
    const leaders = countLeaderChanges(() => this.metering);
    const wrote: typeof leaders = (method, args) => {
      leaders(method, args);
      if (method === 'setUnitRuntime') this.checks.written(String(args[0]));
    };
    const deps = { ...given, store: observeStore(given.store, bump, wrote) };
    this.deps = deps;
    const recordHealth = healthRecorder(deps, bump);
    this.pool = new MachinePool(deps.connect, recordHealth, (s, ok) => this.metering.probed(s, ok));
    this.metering = controllerMetrics(deps.store, this.events, this.pool);
    this.machines = new MachineOperations({ ...deps, pool: this.pool });
    const charms = deps.charms ?? new CharmRepository();
    this.charms = charms;
    const loadCharm = deps.loadCharm;
    const store = deps.store;
    const executor: ExecutorDeps = {
      store,
      loadCharm: (app) => {
        if (!loadCharm) throw new NoCharmRuntimeError();
        return loadCharm(app);
      },
      machine: async (id) => {
        const record = this.machines.record(id);
        const remote = await this.pool.get(record);
        if (deps.sim && record.provider === 'sim') return deps.sim.charmMachine(record);
        return charmMachine(remote, record.facts ?? (await remote.facts()), id);
      },
      address: (id) => store.machine(id)?.address ?? '',
      lock: boundedLock(this.lock, new HookSlots(16)),
      now: () => Date.now(),
      // Read on every decision, so `rune model-config` takes effect without a restart.
      get updateStatusIntervalMs() {
        return updateStatusIntervalMs(store.modelConfig());
      },
      retryDelayMs: defaultRetryDelay,
      onCommit: (unit, relations, leaderSettings) =>
        this.runner.committed(unit, relations, leaderSettings),
      onHook: (event) => this.metering.hook(event),
    };
    this.runner = new UnitRunner(
      store,
      {
        step: (unit) => stepUnit(unit, executor),
        inRelation: (unit, relationId) => inRelation(store, unit, relationId),
        now: () => executor.now(),
        get updateStatusIntervalMs() {
          return executor.updateStatusIntervalMs;
        },
      },
      {
        // A leader whose machine stopped answering is not renewed: its lease lapses to a unit
        // whose machine answers (DESIGN §6).
        canLead: (unit) => this.pool.health(unit.machine)?.reachable !== false,
        // Rollouts advance from what the units show now (DESIGN §11).
        onPass: (now) => {
          const due = (unit: string) => hasWorkDue(unit, executor);
          return driveRollouts(store, (name) => rolloutFacts(store, name, due), now);
        },
      },
    );
    // Charms' health checks, between hooks: a verdict that changes makes update-status due.
    this.checks = new HealthChecks({
      store,
      lock: this.lock,
      machine: (id) => executor.machine(id),
      now: () => executor.now(),
      reachable: (id) => this.pool.health(id)?.reachable !== false,
      onTrigger: () => this.runner.wake(),
      toldOfWrites: true,
      ...(deps.log ? { log: deps.log } : {}),
    });
    this.operations = new RecordedOperations({
      store: deps.store,
      charms,
      makesMachines: deps.provider !== undefined,
      addMachine: async (constraints) => (await this.machines.addLocal(constraints)).id,
      wake: () => this.runner.wake(),
      failedHook: (unit) => failedHook(store, unit),
      warmCharm: (application) => warmCharm(store, application, loadCharm),
    });
    this.resurrector = new Resurrector({
      store,
      health: (id) => this.pool.health(id),
      addUnits: (application, count) => this.operations.addUnits(application, count),
      removeUnits: (units, force) => this.operations.removeUnits(units, force),
      removeMachine: (id) => this.machines.removeMachine(id),
      log: deps.log ?? (() => undefined),
    });
  }

  /** Called once at start-up, before serving: finishes a deploy the last run died in. */
  resumeDeploys(): Promise<string[]> {
    return this.operations.resumeDeploys();
  }

  deploy(request: Api.DeployRequest): Promise<Api.DeployResponse> {
    const { bundle, overlays, existingMachines } = request;
    return this.operations.deploy(bundle, overlays, existingMachines ? { existingMachines } : {});
  }

  exportBundle(request: Api.ExportBundleRequest): Api.ExportBundleResponse {
    return exportModel(this.deps.store, this.charms, request.relativeTo);
  }

  diffBundle(request: Api.DiffBundleRequest): Api.DiffBundleResponse {
    return diffModel(this.deps.store, this.charms, request.bundle, request.overlays);
  }

  addUnits(request: Api.AddUnitsRequest): Promise<{ units: string[] }> {
    return this.operations
      .addUnits(request.application, request.count, request.to)
      .then((units) => ({ units }));
  }

  relate(request: { a: string; b: string }): { relation: string } {
    return { relation: this.operations.relate(request.a, request.b) };
  }

  run(request: Api.ActionRequest): { id: number; unit: string } {
    const queued = enqueueAction(this.deps.store, (app) => this.operations.charmOf(app), request);
    this.runner.wake();
    return queued;
  }

  action(id: number): ActionRecord {
    return actionById(this.deps.store, id);
  }

  attachResources(request: Api.AttachRequest): { attached: Api.Attached[] } {
    const attached = this.operations.record(commands.attachResources(request), () =>
      attachResources(
        this.deps.store,
        (app) => this.operations.charmOf(app),
        this.deps.paths.resources,
        request,
      ),
    );
    this.runner.wake();
    return { attached };
  }

  refresh(request: RefreshRequest): RefreshResponse {
    const refreshed = this.operations.record(commands.refresh(request), () =>
      refresh({ ...this.deps, charms: this.charms, now: () => new Date() }, request),
    );
    this.runner.wake();
    return refreshed;
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

  config(application: string): { options: Record<string, Api.ConfigOptionView> } {
    return { options: this.operations.config(application) };
  }

  setConfig(request: {
    application: string;
    values: Record<string, string>;
    reset: string[];
    policy?: PolicyFlags;
  }): void {
    const { application, values, reset, policy = {} } = request;
    this.operations.setConfig(application, values, reset, policy);
  }

  history(application?: string): HistoryResponse {
    return this.operations.revisions(application);
  }

  rollback(request: RollbackRequest): RollbackResponse {
    return this.operations.rollback(request);
  }

  statusLog(request: StatusLogRequest): StatusLogResponse {
    return statusLog(this.deps.store, request);
  }

  metrics(): Promise<{ contentType: string; text: string }> {
    return this.metering.scrape();
  }

  rollouts(): { rollouts: RolloutRecord[] } {
    return { rollouts: this.deps.store.rollouts() };
  }

  rollout(request: { application: string; action: 'resume' | 'abort' }): RolloutRecord[] {
    const { store } = this.deps;
    // An abort puts the old spec back: a revision of the model (a resume changes none).
    const done = this.operations.record(commands.rollout(request), () =>
      actOnRollout(store, request),
    );
    this.runner.wake();
    return done;
  }

  simulate(request: Api.SimulateRequest): void {
    this.machines.simulate(request, this.deps.sim);
  }

  rolloutPolicy(application: string): { policy: RolloutPolicyView } {
    return { policy: rolloutPolicyView(this.deps.store, application) };
  }

  setRolloutPolicy(request: SetRolloutPolicyRequest): void {
    setRolloutPolicy(this.deps.store, request);
  }

  /** What --wait waits for (pending-units.ts). */
  pending(): { units: string[]; deploying: boolean } {
    const { store } = this.deps;
    const deps = {
      store,
      now: () => Date.now(),
      updateStatusIntervalMs: updateStatusIntervalMs(store.modelConfig()),
    };
    return pendingUnits(store, (unit) => hasWorkDue(unit, deps));
  }

  modelConfig(): { settings: Record<string, ModelSettingView> } {
    return { settings: modelConfigView(this.deps.store.modelConfig()) };
  }

  setModelConfig(values: Record<string, string>): void {
    checkModelConfig(values);
    this.deps.store.setModelConfig(values);
    this.runner.wake();
  }

  async changes(
    after: number,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<Api.ChangesResponse> {
    return { generation: await this.events.nextChange(after, timeoutMs, signal) };
  }

  hookLog(after: number): { entries: HookLogEntry[] } {
    return { entries: this.operations.hookLog(after) };
  }

  ping(): Api.PingResponse {
    const { info, version, member } = this.deps;
    return {
      name: info.name,
      id: info.id,
      version,
      pid: process.pid,
      ...(member && { member: { id: member.id, active: member.active() } }),
    };
  }

  async addMachines(request: Api.AddMachinesRequest): Promise<Api.AddMachinesResponse> {
    const added = await this.machines.addMachines(request);
    // A unit may be waiting for a machine like this one.
    this.runner.wake();
    return added;
  }

  removeMachine(id: string, _force: boolean): Promise<void> {
    // --force will matter once units on a machine go with it; today units keep their record.
    return this.machines.removeMachine(id);
  }

  sshAccess(id: string): Api.SshAccess {
    return this.machines.sshAccess(id);
  }

  exec(
    machine: string,
    command: string,
    sink: { out(chunk: Buffer): void; err(chunk: Buffer): void },
    signal: AbortSignal,
  ): Promise<number> {
    return this.machines.exec(machine, command, sink, signal);
  }

  status(probe = true, patterns: readonly string[] = []): Promise<Api.StatusResponse> {
    const { info, version, store } = this.deps;
    const model = { name: 'default', controller: info.name, cloud: info.provider, version };
    const maxAgeMs = this.deps.statusProbeMaxAgeMs ?? HEALTH_CHECK_EVERY_MS;
    const machines = (probe: boolean, records: readonly MachineRecord[]) =>
      this.machines.views(probe, records, maxAgeMs);
    const generation = () => this.events.generation;
    return answerStatus(
      { model: { ...model, ...this.resurrector.note() }, store, generation, machines },
      probe,
      patterns,
    );
  }

  /** Probes every machine, then lets the resurrector replace the lost ones (DESIGN §12). */
  async checkHealth(now = Date.now()): Promise<void> {
    await this.machines.views(true);
    await this.resurrector.pass(now);
  }

  /** Checks health this often, so status, leadership and the resurrector learn of a lost
   * machine even when nobody runs `rune status`. */
  startHealthChecks(everyMs = HEALTH_CHECK_EVERY_MS): void {
    this.stopHealthLoop = repeatEvery(everyMs, () => this.checkHealth());
    this.checks.start();
  }

  async shutdown(destroy: boolean): Promise<void> {
    this.events.close();
    this.stopHealthLoop();
    await this.checks.stop();
    await this.runner.stop();
    await this.pool.closeAll();
    if (destroy && this.deps.provider) await this.machines.destroyLocal();
    this.deps.store.close();
    this.deps.exit?.();
  }
}
