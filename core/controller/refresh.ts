// `rune refresh APP [--path DIR] [--revision N]` (DESIGN §11, issue 14 item 1): the application
// moves to a new charm revision, loaded from a folder (the current one when no path is given) or
// an earlier revision again. The new charm is checked first — same charm, same kind, its code
// there, every endpoint in use still offered, every option set still valid — and nothing changes
// unless it passes. Units then run upgrade-charm → config-changed (the resolver sees the new
// revision in the charm hash).
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { validateConfigValues } from '../charm/config.js';
import { CHARM_CODE_FILES } from '../charm/module-loader.js';
import type { CharmRepository } from '../charm/repository.js';
import type { Charm } from '../charm/types.js';
import { RuneError } from '../model/errors.js';
import { ApplicationNotFoundError, CharmRevisionNotFoundError } from '../store/errors.js';
import type { ApplicationRecord, Store } from '../store/types.js';
import { applicationSpec } from '../store/application-view.js';
import type { PolicyFlags } from './rollout-policy.js';
import { policyFor, startRollout } from './rollouts.js';

export interface RefreshRequest {
  application: string;
  /** The rollout's policy flags, as typed (rollout-policy.ts). */
  policy?: PolicyFlags;
  /** An absolute folder (the CLI resolves what the user typed). */
  path?: string;
  revision?: number;
}

export interface RefreshResponse {
  application: string;
  charm: string;
  /** The revision the application runs now. */
  revision: number;
  /** The revision it ran before. */
  from: number;
}

/** A refresh the model cannot take; the message says what to change. */
export class RefreshRefusedError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly application: string,
    readonly problems: readonly string[],
  ) {
    super(`cannot refresh ${application}: ${problems.join('; ')}`);
  }
}

/** What in `charm` would break `app` as the model has it; empty when the refresh may go on. */
export function refreshProblems(store: Store, app: ApplicationRecord, charm: Charm): string[] {
  const problems: string[] = [];
  const meta = charm.meta;
  if (meta.name !== app.charm) {
    return [`${charm.dir} holds charm "${meta.name}", but ${app.name} runs charm "${app.charm}"`];
  }
  if (meta.subordinate !== app.subordinate) {
    problems.push(
      `${charm.dir} makes ${meta.name} ${meta.subordinate ? '' : 'not '}subordinate; a refresh cannot change that`,
    );
  }
  if (!CHARM_CODE_FILES.some((f) => existsSync(join(charm.dir, f)))) {
    problems.push(`${charm.dir} has no charm code (${CHARM_CODE_FILES.join(', ')})`);
  }
  for (const relation of store.relations()) {
    if (relation.life !== 'alive') continue;
    for (const end of relation.endpoints.filter((e) => e.application === app.name)) {
      const offered = meta.endpoints.find((e) => e.name === end.name);
      const peers = relation.endpoints
        .filter((e) => e !== end)
        .map((e) => `${e.application}:${e.name}`);
      const what = peers.length > 0 ? `its relation to ${peers.join(', ')}` : 'its peer relation';
      if (!offered) {
        problems.push(`the new revision drops endpoint "${end.name}", in use by ${what}`);
      } else if (offered.interface !== end.interface || offered.role !== end.role) {
        problems.push(
          `the new revision makes endpoint "${end.name}" ${offered.role} of ${offered.interface}, ` +
            `but ${what} uses it as ${end.role} of ${end.interface}`,
        );
      }
    }
  }
  const config = validateConfigValues(meta.name, charm.config, app.config, 'exact');
  for (const p of config.problems) problems.push(`option ${p.option} as set: ${p.message}`);
  return problems;
}

export function refresh(
  deps: { store: Store; charms: CharmRepository; now(): Date },
  request: RefreshRequest,
): RefreshResponse {
  const { store, charms } = deps;
  const app = store.application(request.application);
  if (!app || app.life !== 'alive') throw new ApplicationNotFoundError(request.application);
  const refuse = (problem: string) => new RefreshRefusedError(app.name, [problem]);
  if (request.path !== undefined && request.revision !== undefined) {
    throw refuse('give --path or --revision, not both');
  }
  if (request.path !== undefined && !isAbsolute(request.path)) {
    throw refuse(`the charm path must be absolute, got "${request.path}"`);
  }
  let dir = request.path ?? app.charmDir;
  if (request.revision !== undefined) {
    const known = store.charmRevisions(app.name).find((r) => r.revision === request.revision);
    if (!known) throw new CharmRevisionNotFoundError(app.name, request.revision);
    if (request.revision === app.charmRevision) {
      throw refuse(`it already runs charm revision ${app.charmRevision}`);
    }
    dir = known.charmDir;
  }
  const charm = charms.loadFresh(dir);
  const problems = refreshProblems(store, app, charm);
  if (problems.length > 0) throw new RefreshRefusedError(app.name, problems);
  const policy = policyFor(store, app.name, request.policy ?? {});
  const at = deps.now().toISOString();
  const revision = store.transaction(() => {
    let moved = request.revision;
    if (moved === undefined) moved = store.addCharmRevision(app.name, charm.dir, at);
    else store.useCharmRevision(app.name, moved);
    const from = applicationSpec(app, store.resources(app.name));
    startRollout(store, {
      application: app.name,
      change: `refresh to charm revision ${moved}`,
      from,
      to: { ...from, charmRevision: moved, charmDir: charm.dir },
      policy,
      at,
    });
    return moved;
  });
  charms.remember(charm);
  return { application: app.name, charm: charm.meta.name, revision, from: app.charmRevision };
}
