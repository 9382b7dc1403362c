// The model verbs with history (issue 14 item 5): each call is recorded as a model revision
// (history.ts) — a synchronous verb in the transaction that makes its change — and the two verbs
// that read and restore it. A subclass, so the verbs themselves know nothing of history.
import type { DeployRequest } from './api.js';
import { commandLine, commands } from './history-commands.js';
import { ModelHistory } from './history.js';
import { historyEntries, type HistoryResponse } from './history-view.js';
import { rollback, type RollbackRequest, type RollbackResponse } from './rollback.js';
import { type ModelOperationDeps, ModelOperations } from './model-operations.js';
import type { PolicyFlags } from './rollout-policy.js';
import type { PlanOptions } from '../planner/index.js';

export class RecordedOperations extends ModelOperations {
  private readonly history: ModelHistory;

  constructor(private readonly given: ModelOperationDeps) {
    super(given);
    this.history = new ModelHistory(given.store);
  }

  /** Runs another verb's synchronous change (refresh, attach-resource) as a revision. */
  record<T>(command: string, change: () => T): T {
    return this.history.record(command, change);
  }

  /** `rune history [APP]`. */
  revisions(application?: string): HistoryResponse {
    return historyEntries(this.given.store, application);
  }

  /** `rune rollback APP [--to REV]`: a revision of its own, marked as a rollback. */
  rollback(request: RollbackRequest): RollbackResponse {
    const { store, charms } = this.given;
    const done = rollback({ store, charms, history: this.history, now: () => new Date() }, request);
    this.given.wake();
    return done;
  }

  override deploy(bundle: string, overlays: readonly string[], options: PlanOptions = {}) {
    const command = commands.deploy({ bundle, overlays: [...overlays] });
    return this.history.recordAsync(command, () => super.deploy(bundle, overlays, options));
  }

  override resumeDeploys() {
    const unfinished = this.given.store
      .unfinishedDeploys()
      .map((d) => d.request as unknown as DeployRequest);
    const command = unfinished.map((r) => commands.deploy(r, true)).join('; ');
    return this.history.recordAsync(command, () => super.resumeDeploys());
  }

  override addUnits(application: string, count: number, to?: string) {
    const command = commands.addUnits({ application, count, ...(to === undefined ? {} : { to }) });
    return this.history.recordAsync(command, () => super.addUnits(application, count, to));
  }

  override relate(a: string, b: string) {
    return this.history.record(commandLine('relate', a, b), () => super.relate(a, b));
  }

  override removeUnits(names: readonly string[], force: boolean) {
    const command = commands.removeUnits({ units: [...names], force });
    this.history.record(command, () => super.removeUnits(names, force));
  }

  override removeApplication(name: string, force: boolean) {
    const command = commands.removeApplication({ application: name, force });
    this.history.record(command, () => super.removeApplication(name, force));
  }

  override removeRelation(a: string, b: string) {
    const command = commandLine('remove-relation', a, b);
    return this.history.record(command, () => super.removeRelation(a, b));
  }

  override setConfig(
    application: string,
    values: Record<string, string>,
    reset: readonly string[],
    policy: PolicyFlags = {},
  ) {
    const command = commands.config({ application, values, reset: [...reset], policy });
    this.history.record(command, () => super.setConfig(application, values, reset, policy));
  }
}
