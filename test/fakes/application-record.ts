// An application record for tests that need one in the store and no charm behind it: its charm
// folder does not exist (nothing loads it).
import type { NewApplication } from '../../core/store/types.js';

/** A principal application named `name`, its charm `name` at /charms/<name>, no config. */
export function applicationRecord(
  name: string,
  over: Partial<NewApplication> = {},
): NewApplication {
  return {
    name,
    charm: name,
    charmDir: `/charms/${name}`,
    subordinate: false,
    config: {},
    constraints: '',
    ...over,
  };
}
