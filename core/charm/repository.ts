// Where charms come from: a charm reference (name, cs:/ch: URL or path) → a loaded Charm.
// Names are folders of Rune's charms/; URLs are reduced to their name (DESIGN §8); paths are local.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applicationNameProblem } from '../model/names.js';
import { RuneError } from '../model/errors.js';
import { formatDiagnostic } from '../yaml/diagnostic.js';
import {
  CharmLoadError,
  CharmPathError,
  InvalidCharmRefError,
  UnknownCharmError,
} from './errors.js';
import { loadCharm } from './loader.js';
import { packageRoot } from './package-root.js';
import type { Charm } from './types.js';

/** Re-exported: where Rune's package is, for callers that also resolve charms. */
export { packageRoot };

export type ParsedCharmRef =
  | { kind: 'name'; name: string }
  | { kind: 'path'; path: string }
  | { kind: 'invalid'; reason: string };

const USER = /^~[a-z0-9][a-z0-9+.-]*$/;
/** A series (`focal`) or an architecture (`amd64`). */
const QUALIFIER = /^[a-z0-9][a-z0-9.]*$/;

/**
 * Reads a charm reference as bundles and the CLI write it:
 * - `./x`, `../x`, `/x` (and `.`, `..`): a charm folder, relative to the bundle's folder;
 * - `cs:[~user/][series/]name[-rev]` (the old charm store) and the same without a scheme;
 * - `ch:[arch/][series/]name[-rev]` (Charmhub URLs as Juju 3 prints them, with arch and series);
 * - `local:[series/]name[-rev]` (Juju 2 local repositories).
 * Every URL is reduced to its name: Rune's charms/ has no users, series, arches or revisions.
 */
export function parseCharmRef(ref: string): ParsedCharmRef {
  if (ref.trim() === '') return { kind: 'invalid', reason: 'must not be empty' };
  if (isPath(ref)) return { kind: 'path', path: ref };
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(ref)?.[1];
  if (scheme !== undefined && !['cs', 'ch', 'local'].includes(scheme)) {
    return {
      kind: 'invalid',
      reason: `unknown scheme "${scheme}:"; use a charm name, cs:, ch:, or a path starting with ./`,
    };
  }
  const rest = scheme === undefined ? ref : ref.slice(scheme.length + 1);
  const parts = rest.split('/');
  if (parts.some((p) => p === '')) return { kind: 'invalid', reason: 'has an empty part' };
  const user = parts[0]?.startsWith('~') ? parts.shift() : undefined;
  if (user !== undefined) {
    if (scheme === 'ch' || scheme === 'local') {
      return { kind: 'invalid', reason: `${scheme}: URLs have no ~user part` };
    }
    if (!USER.test(user)) return { kind: 'invalid', reason: `invalid user "${user}"` };
  }
  const last = parts.pop() ?? '';
  const most = scheme === 'ch' ? 2 : 1;
  if (parts.length > most) {
    return { kind: 'invalid', reason: `has too many parts for a ${scheme ?? 'cs'}: URL` };
  }
  const bad = parts.find((p) => !QUALIFIER.test(p));
  if (bad !== undefined) return { kind: 'invalid', reason: `invalid series or arch "${bad}"` };
  const withRevision = /^(.+)-(\d+)$/.exec(last);
  const name = withRevision?.[1] ?? last;
  const problem = applicationNameProblem(name);
  if (problem) return { kind: 'invalid', reason: `charm name "${name}" ${problem}` };
  return { kind: 'name', name };
}

function isPath(ref: string): boolean {
  return ref === '.' || ref === '..' || ['./', '../', '/'].some((p) => ref.startsWith(p));
}

export type CharmResolution = { charm: Charm } | { error: string };

/** Charms by reference, each folder loaded once (successes and failures alike). */
export class CharmRepository {
  private readonly loaded = new Map<string, Charm | RuneError>();
  private names: string[] | undefined;

  constructor(readonly root: string = join(packageRoot(), 'charms')) {}

  /** The charms shipped in the root folder, sorted. */
  known(): string[] {
    this.names ??= readdirSync(this.root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(this.root, e.name, 'metadata.yaml')))
      .map((e) => e.name)
      .sort();
    return this.names;
  }

  /** The charm a reference names; paths resolve against baseDir (the bundle's folder). */
  load(ref: string, baseDir: string): Charm {
    const parsed = parseCharmRef(ref);
    if (parsed.kind === 'invalid') throw new InvalidCharmRefError(ref, parsed.reason);
    let dir: string;
    if (parsed.kind === 'name') {
      if (!this.known().includes(parsed.name))
        throw new UnknownCharmError(parsed.name, this.known());
      dir = join(this.root, parsed.name);
    } else {
      dir = resolve(baseDir, parsed.path);
      if (!existsSync(dir)) throw new CharmPathError(ref, dir, 'missing');
      if (!statSync(dir).isDirectory()) throw new CharmPathError(ref, dir, 'not-a-folder');
    }
    const cached = this.loaded.get(dir) ?? this.loadOnce(dir);
    if (cached instanceof RuneError) throw cached;
    return cached;
  }

  /**
   * The charm in `dir` as it is on disk now, bypassing (and not changing) what is remembered:
   * `rune refresh` checks a new revision before it replaces anything.
   */
  loadFresh(dir: string): Charm {
    if (!existsSync(dir)) throw new CharmPathError(dir, dir, 'missing');
    if (!statSync(dir).isDirectory()) throw new CharmPathError(dir, dir, 'not-a-folder');
    return loadCharm(dir);
  }

  /** Remembers `charm` for its folder: every later load of that folder sees this revision. */
  remember(charm: Charm): void {
    this.loaded.set(charm.dir, charm);
  }

  resolve(ref: string, baseDir: string): CharmResolution {
    try {
      return { charm: this.load(ref, baseDir) };
    } catch (e) {
      if (e instanceof CharmLoadError) return { error: loadFailure(ref, e) };
      if (e instanceof RuneError && e.kind === 'user') return { error: e.message };
      throw e;
    }
  }

  private loadOnce(dir: string): Charm | RuneError {
    let result: Charm | RuneError;
    try {
      result = loadCharm(dir);
    } catch (e) {
      if (!(e instanceof CharmLoadError)) throw e;
      result = e;
    }
    this.loaded.set(dir, result);
    return result;
  }
}

/** One line for a bundle diagnostic: the charm's first problem, and how many more there are. */
function loadFailure(ref: string, error: CharmLoadError): string {
  const [first, ...more] = error.diagnostics;
  const problem = first ? formatDiagnostic(first) : 'no details';
  const tail = more.length > 0 ? ` (and ${more.length} more)` : '';
  return `charm "${ref}" does not load: ${problem}${tail}`;
}
