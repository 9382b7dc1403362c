// Which recorded state `rune rollback APP [--to REV]` restores (issue 14 items 5 and 7): without
// --to, the application's spec before its latest change of charm, config or resources; with it,
// its spec as of that model revision. Every refusal is one line that says what would work. Pure.
import { RuneError } from '../model/errors.js';
import type { ModelRevisionRecord, RecordedSpec } from '../store/history-types.js';
import { changesSpec } from './history-diff.js';

/** A rollback the model cannot take; nothing was changed. */
export class RollbackRefusedError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly application: string,
    readonly reason: string,
  ) {
    super(`cannot roll back ${application}: ${reason}`);
  }
}

export interface RollbackTarget {
  /** The model revision whose spec is restored. */
  revision: number;
  spec: RecordedSpec;
}

/** Same charm revision and the same non-secret options: rolling back would change nothing. */
const sorted = (o: object) => JSON.stringify(Object.entries(o).sort());
const sameSpec = (a: RecordedSpec, b: RecordedSpec) =>
  a.charmRevision === b.charmRevision &&
  sorted(a.config) === sorted(b.config) &&
  sorted(a.resources) === sorted(b.resources);

const list = (revisions: readonly ModelRevisionRecord[]) =>
  revisions.length > 0 ? revisions.map((r) => r.revision).join(', ') : 'none';

export function rollbackTarget(input: {
  application: string;
  /** The revisions that touched the application, oldest first. */
  revisions: readonly ModelRevisionRecord[];
  /** The model's newest revision number. */
  latest: number;
  to?: number;
  current: RecordedSpec;
}): RollbackTarget {
  const { application: app, revisions, latest, to, current } = input;
  const refuse = (reason: string) => new RollbackRefusedError(app, reason);
  const changeOf = (r: ModelRevisionRecord) => r.changes.find((c) => c.application === app);
  // A name deployed again is a new application: its earlier life's specs are not its own (its
  // charm revisions started over at 1).
  const deployedAt = revisions.findLastIndex((r) => changeOf(r)?.added?.application);
  const own = revisions.slice(Math.max(deployedAt, 0));
  let chosen: ModelRevisionRecord | undefined;
  if (to !== undefined) {
    const range = latest === 0 ? 'the model has no revisions yet' : `the latest is ${latest}`;
    if (to > latest) throw refuse(`model revision ${to} is in the future: ${range}`);
    if (!Number.isInteger(to) || to < 1) {
      throw refuse(`there is no model revision ${to}: they are numbered from 1, and ${range}`);
    }
    chosen = own.find((r) => r.revision === to);
    if (!chosen) {
      const earlier = revisions.some((r) => r.revision === to);
      const since = own[0]?.revision;
      throw refuse(
        earlier
          ? `model revision ${to} is from before ${app} was deployed again at model revision ${since}; its revisions since: ${list(own)}`
          : `model revision ${to} did not touch ${app}; the revisions that did: ${list(own)}`,
      );
    }
  } else {
    const last = own.findLastIndex(
      (r, i) => i > 0 && changesSpec(changeOf(r) ?? { application: app }),
    );
    if (own.length === 0) {
      throw refuse('no recorded change of it to roll back; rune history lists the model revisions');
    }
    if (last < 1) {
      throw refuse(
        `nothing to roll back to: its charm, config and resources have not changed since model revision ${own[0]?.revision}`,
      );
    }
    chosen = own[last - 1];
  }
  const spec = chosen?.specs[app];
  if (!chosen || !spec) {
    throw refuse(`model revision ${chosen?.revision ?? to} recorded no state of it to restore`);
  }
  if (sameSpec(spec, current)) {
    throw refuse(
      `it is already as model revision ${chosen.revision} left it (charm revision ${spec.charmRevision}, the same config and resources)`,
    );
  }
  return { revision: chosen.revision, spec };
}
