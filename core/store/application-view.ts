// What one unit sees of its application while a rollout runs (DESIGN §11): a unit not yet in its
// batch keeps the old charm revision and config, so none of its hooks fire early. Pure.
import type { ApplicationRecord, RolloutRecord } from './types.js';

export function applicationAsSeen(
  app: ApplicationRecord,
  rollout: RolloutRecord | undefined,
  unit: string,
): ApplicationRecord {
  if (!rollout || rollout.application !== app.name) return app;
  const entry = rollout.units.find((u) => u.unit === unit);
  // Units added since the rollout began start on the new spec, like those already moved.
  if (entry?.state !== 'waiting') return app;
  const { charmRevision, charmDir, config } = entry.from ?? rollout.from;
  return { ...app, charmRevision, charmDir, config };
}
