// Attached resources (`rune attach-resource`) as a hook fetches them: copied onto the unit's
// machine on first use, and again only when the machine's copy differs from the revision the
// unit is on.
import { readFileSync } from 'node:fs';
import type { CharmMachine } from '../../core/charm/context-types.js';
import type { Charm } from '../../core/charm/types.js';
import type { Store, UnitRecord } from '../../core/store/types.js';
import { own } from '../../core/model/own.js';

/** Where the machine keeps an application's attached files. */
export const resourcePath = (app: string, name: string, filename: string): string =>
  `/var/lib/rune/resources/${app}/${name}/${filename}`;

/**
 * Puts the revision the unit is on (`revision`, from its snapshot: a rollout may hold it on an
 * older one) on its machine unless the same bytes are already there.
 */
export async function fetchResource(
  deps: { store: Store; machine(machineId: string): Promise<CharmMachine> },
  unit: UnitRecord,
  charm: Charm,
  name: string,
  revision: number | undefined,
): Promise<string | undefined> {
  if (revision === undefined) return undefined;
  const record = deps.store.resourceRevision(unit.application, name, revision);
  if (!record) return undefined;
  const path = resourcePath(
    unit.application,
    name,
    own(charm.meta.resources, name)?.filename ?? name,
  );
  const machine = await deps.machine(unit.machine);
  const have = await machine.run(`sha256sum '${path}' 2>/dev/null || true`);
  if (have.stdout.toString().startsWith(record.sha256)) return path;
  await machine.writeFile(path, readFileSync(record.file), { mode: 0o755 });
  return path;
}
