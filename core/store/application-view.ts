// What one unit sees of its application while a rollout runs (DESIGN §11): a unit not yet in its
// batch keeps the old charm revision, config and resource revisions, so none of its hooks fire
// early. Pure.
import type { ApplicationRecord, ApplicationSpec, ResourceRecord, RolloutRecord } from './types.js';

/** Resource name → current revision. */
export const resourceRevisions = (resources: readonly ResourceRecord[]): Record<string, number> =>
  Object.fromEntries(resources.map((r) => [r.name, r.revision]));

/** The application's spec as the store has it now: what a rollout moves units to. */
export function applicationSpec(
  app: ApplicationRecord,
  resources: readonly ResourceRecord[],
): ApplicationSpec {
  const { charmRevision, charmDir, config } = app;
  return { charmRevision, charmDir, config, resources: resourceRevisions(resources) };
}

/** The spec a rollout still holds the unit on, if it has not reached it yet. */
function heldOn(
  application: string,
  rollout: RolloutRecord | undefined,
  unit: string,
): ApplicationSpec | undefined {
  if (!rollout || rollout.application !== application) return undefined;
  const entry = rollout.units.find((u) => u.unit === unit);
  // Units added since the rollout began start on the new spec, like those already moved.
  if (entry?.state !== 'waiting') return undefined;
  return entry.from ?? rollout.from;
}

export function applicationAsSeen(
  app: ApplicationRecord,
  rollout: RolloutRecord | undefined,
  unit: string,
): ApplicationRecord {
  const held = heldOn(app.name, rollout, unit);
  if (!held) return app;
  const { charmRevision, charmDir, config } = held;
  return { ...app, charmRevision, charmDir, config };
}

/** Resource name → the revision the unit fetches: the current ones unless a rollout holds it. */
export function resourcesAsSeen(
  application: string,
  current: readonly ResourceRecord[],
  rollout: RolloutRecord | undefined,
  unit: string,
): Record<string, number> {
  return heldOn(application, rollout, unit)?.resources ?? resourceRevisions(current);
}
