// `rune attach-resource APP NAME=PATH...` on the controller side (DESIGN §10–11): each file must
// be a resource the charm declares and a readable regular file, and the rollout policy valid;
// all is checked before anything is copied, so a bad request changes nothing. Each revision is
// kept under its own name, and the units move to the new revisions in a rollout (those not
// reached keep fetching the old file); ctx.resource() puts the file on their machines.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Charm } from '../charm/types.js';
import { ApplicationNotFoundError } from '../store/errors.js';
import type { Store } from '../store/types.js';
import type { Attached, AttachRequest } from './api.js';
import { currentSpec } from './application-spec.js';
import { ModelRequestError } from './model-operations.js';
import { policyFor, startRollout } from './rollouts.js';

/** Problems with the files asked for; empty when all can be attached. */
function fileProblems(application: string, charm: Charm, files: Record<string, string>): string[] {
  const declared = Object.keys(charm.meta.resources);
  const problems: string[] = [];
  for (const [name, path] of Object.entries(files)) {
    if (!Object.hasOwn(charm.meta.resources, name)) {
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
  return problems;
}

/**
 * Copies the file into the controller's folder under a name of its content (`NAME.SHA256`), so an
 * earlier revision's file is never overwritten while a unit not yet reached may fetch it.
 */
function keep(
  resourcesDir: string,
  application: string,
  name: string,
  path: string,
): { file: string; sha256: string; size: number } {
  const folder = join(resourcesDir, application);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const incoming = join(folder, `.${name}.new`);
  copyFileSync(path, incoming);
  const bytes = readFileSync(incoming);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = join(folder, `${name}.${sha256}`);
  // Renamed into place: a unit fetching it never reads half a file.
  renameSync(incoming, file);
  return { file, sha256, size: bytes.length };
}

export function attachResources(
  store: Store,
  charmOf: (application: string) => Charm,
  resourcesDir: string,
  request: AttachRequest,
): Attached[] {
  const { application, files } = request;
  if (!store.application(application)) throw new ApplicationNotFoundError(application);
  const problems = fileProblems(application, charmOf(application), files);
  if (problems.length > 0) throw new ModelRequestError(problems.join('; '));
  const policy = policyFor(store, application, request.policy ?? {});

  const kept = Object.entries(files).map(([name, path]) => ({
    name,
    ...keep(resourcesDir, application, name, path),
  }));
  const at = new Date().toISOString();
  return store.transaction(() => {
    const from = currentSpec(store, application);
    const attached = kept.map(({ name, ...file }): Attached => {
      const revision = store.attachResource(application, name, file, at);
      return { name, revision, sha256: file.sha256, size: file.size };
    });
    // The units move to the new revisions in batches (DESIGN §11), like a config change.
    startRollout(store, {
      application,
      change: 'attach-resource',
      from,
      to: currentSpec(store, application),
      policy,
      at,
    });
    return attached;
  });
}
