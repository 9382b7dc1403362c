// `rune attach-resource APP NAME=PATH...` on the controller side (DESIGN §10): each file must be
// a resource the charm declares and a readable regular file; all are checked before any is
// copied into the controller's folder, so a bad request changes nothing. A new revision makes
// the units run upgrade-charm, and ctx.resource() then puts the file on their machines.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Charm } from '../charm/types.js';
import { ApplicationNotFoundError } from '../store/errors.js';
import type { Store } from '../store/types.js';
import type { Attached, AttachRequest } from './api.js';
import { ModelRequestError } from './model-operations.js';

export function attachResources(
  store: Store,
  charmOf: (application: string) => Charm,
  resourcesDir: string,
  request: AttachRequest,
): Attached[] {
  const { application, files } = request;
  if (!store.application(application)) throw new ApplicationNotFoundError(application);
  const charm = charmOf(application);
  const declared = Object.keys(charm.meta.resources);
  const problems: string[] = [];
  for (const [name, path] of Object.entries(files)) {
    if (!(name in charm.meta.resources)) {
      problems.push(
        `${application} (charm ${charm.meta.name}) declares no resource "${name}"` +
          (declared.length > 0 ? ` (its resources: ${declared.join(', ')})` : ''),
      );
      continue;
    }
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      // reported below
    }
    if (!isFile) problems.push(`${path} is not a readable file (resource ${name})`);
  }
  if (Object.keys(files).length === 0) problems.push('no NAME=PATH given');
  if (problems.length > 0) throw new ModelRequestError(problems.join('; '));

  const attached: Attached[] = [];
  for (const [name, path] of Object.entries(files)) {
    const folder = join(resourcesDir, application);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const dest = join(folder, name);
    // A copy, renamed into place: a unit fetching the previous revision never reads half a file.
    copyFileSync(path, `${dest}.new`);
    renameSync(`${dest}.new`, dest);
    const bytes = readFileSync(dest);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = { file: dest, sha256, size: bytes.length };
    const revision = store.attachResource(application, name, file, new Date().toISOString());
    attached.push({ name, revision, sha256, size: bytes.length });
  }
  return attached;
}
