// Collect-status, after ops: a hook may add several statuses as it finds things out, and the one
// it leaves is the most severe (blocked > maintenance > waiting > active, core/model's order), so
// no charm orders its status calls by hand. Pure.
import { workloadSeverity } from '../model/status.js';
import type { StatusSetting } from './context-types.js';

export class StatusCollector {
  private readonly added: StatusSetting[] = [];

  /** A candidate: kept if nothing added in this hook is more severe (ties keep the first). */
  add(status: StatusSetting): void {
    this.added.push(status);
  }

  /** "The status is now this": forgets everything added or set before, then adds it. */
  set(status: StatusSetting): void {
    this.added.length = 0;
    this.added.push(status);
  }

  /** The status the hook leaves, or undefined when it set none. */
  result(): StatusSetting | undefined {
    return mostSevere(this.added);
  }
}

/** The most severe of `statuses`; among equals, the first. */
export function mostSevere(statuses: readonly StatusSetting[]): StatusSetting | undefined {
  let worst: StatusSetting | undefined;
  for (const status of statuses) {
    if (!worst || workloadSeverity(status.kind) > workloadSeverity(worst.kind)) worst = status;
  }
  return worst;
}
