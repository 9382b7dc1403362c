// Model history as the controller keeps it (DESIGN §11, issue 14 item 5): each verb that changes
// the model runs through record(), which compares the model before and after and stores the
// difference as the next numbered revision — in the same transaction as the change for the
// synchronous verbs, so a change and its revision land together or not at all.
import { redact } from '../model/redact.js';
import { endpointKey } from '../model/types.js';
import type { ModelRevisionRecord } from '../store/history-types.js';
import type { Store } from '../store/types.js';
import { type ApplicationView, diffViews, type ModelView, recordedSpec } from './history-diff.js';

/** The model as history compares it: alive applications, their principal units and relations. */
export function modelView(store: Store): ModelView {
  const view: ModelView = {};
  const units = store.unitIndex();
  const relations = store.relations().filter((r) => r.life === 'alive');
  for (const app of store.applications()) {
    if (app.life !== 'alive') continue;
    const entry: ApplicationView = {
      charm: app.charm,
      charmRevision: app.charmRevision,
      config: app.config,
      resources: Object.fromEntries(store.resources(app.name).map((r) => [r.name, r.revision])),
      units: units
        .filter(
          (u) => u.application === app.name && u.principal === undefined && u.life === 'alive',
        )
        .map((u) => u.name),
      relations: relations
        .filter((r) => r.endpoints.some((e) => e.application === app.name))
        .map((r) => r.endpoints.map(endpointKey).join(' - ')),
    };
    view[app.name] = entry;
  }
  return view;
}

export class ModelHistory {
  /** Inside a synchronous record(): nothing else can run then, so this is exact. */
  private recording = false;

  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Runs a synchronous change and records it in the same transaction; a change that throws
   * leaves neither. `rollbackOf` marks a rollback. */
  record<T>(command: string, change: () => T, rollbackOf?: number): T {
    // A verb made of others (remove-application removes units) is one revision: the outermost.
    if (this.recording) return change();
    this.recording = true;
    try {
      return this.store.transaction(() => {
        const before = modelView(this.store);
        const result = change();
        this.commit(command, before, rollbackOf);
        return result;
      });
    } finally {
      this.recording = false;
    }
  }

  /**
   * Runs a change that waits on machines (deploy, add-unit) and records what it did once it
   * ends, failed or not: such a change is many transactions, so its revision is one more, after
   * them. What landed before a failure is in the model, so it is in the revision too.
   */
  async recordAsync<T>(command: string, change: () => Promise<T>): Promise<T> {
    const before = modelView(this.store);
    try {
      return await change();
    } finally {
      this.store.transaction(() => this.commit(command, before));
    }
  }

  /** Oldest first; with an application, the revisions that touched it. */
  revisions(application?: string): ModelRevisionRecord[] {
    return this.store.modelRevisions(application);
  }

  private commit(command: string, before: ModelView, rollbackOf?: number): void {
    const after = modelView(this.store);
    const changes = diffViews(before, after);
    // A verb that changed nothing (config set to what it was) is no revision.
    if (changes.length === 0) return;
    const applications = changes.map((c) => c.application);
    const specs = Object.fromEntries(
      applications.flatMap((a) => {
        const app = after[a];
        return app ? [[a, recordedSpec(app)]] : [];
      }),
    );
    this.store.addModelRevision({
      at: this.now().toISOString(),
      command: redact(command),
      applications,
      changes,
      specs,
      ...(rollbackOf === undefined ? {} : { rollbackOf }),
    });
  }
}
