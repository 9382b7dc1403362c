// `rune refresh` against a real store and charm repository: a new revision from a folder, back to
// an earlier one, and every refusal (another charm, a dropped endpoint in use, an option set that
// the new charm no longer accepts, bad revisions) leaving the model exactly as it was.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CharmRepository } from '../../../core/charm/repository.js';
import { refresh, RefreshRefusedError } from '../../../core/controller/refresh.js';
import { CharmRevisionNotFoundError } from '../../../core/store/errors.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';

const COUNTER = resolve('test/fixtures/charms/sdk/counter');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'rune-refresh-'));
  dirs.push(dir);
  const store = new SqliteStore(join(dir, 'store.db'));
  const charms = new CharmRepository();
  const deployed = copyCharm(dir, 'v1');
  store.addApplication({
    name: 'counter',
    charm: 'counter',
    charmDir: deployed,
    subordinate: false,
    config: { greeting: 'hi' },
    constraints: '',
  });
  store.addApplication({
    name: 'client',
    charm: 'client',
    charmDir: '/nowhere',
    subordinate: false,
    config: {},
    constraints: '',
  });
  const api = { name: 'api', interface: 'counter-api', scope: 'global' as const, optional: false };
  store.addRelation([
    { ...api, application: 'counter', role: 'provider' },
    { ...api, application: 'client', role: 'requirer' },
  ]);
  const deps = { store, charms, now: () => new Date('2026-12-07T00:00:00Z') };
  const model = () => ({
    app: store.application('counter'),
    revisions: store.charmRevisions('counter'),
  });
  return { dir, store, deps, model, copy: (name: string) => copyCharm(dir, name) };
}

function copyCharm(dir: string, name: string): string {
  const to = join(dir, name);
  cpSync(COUNTER, to, { recursive: true });
  return to;
}

function edit(folder: string, file: string, change: (text: string) => string): void {
  const path = join(folder, file);
  writeFileSync(path, change(readFileSync(path, 'utf8')));
}

describe('refresh', () => {
  it('makes the charm in a folder the next revision, and goes back with --revision', () => {
    const { deps, model, copy } = setup();
    const v2 = copy('v2');
    expect(refresh(deps, { application: 'counter', path: v2 })).toEqual({
      application: 'counter',
      charm: 'counter',
      revision: 2,
      from: 1,
    });
    expect(model().app).toMatchObject({ charmRevision: 2, charmDir: v2 });
    // No path: the current folder is read again, as a new revision.
    expect(refresh(deps, { application: 'counter' }).revision).toBe(3);
    const back = refresh(deps, { application: 'counter', revision: 1 });
    expect(back).toMatchObject({ revision: 1, from: 3 });
    expect(model().app?.charmDir).toBe(model().revisions[0]?.charmDir);
    expect(model().revisions.map((r) => r.revision)).toEqual([1, 2, 3]);
  });

  it('remembers the new metadata for the folder it reads again', () => {
    const { deps, store } = setup();
    const app = store.application('counter');
    if (!app) throw new Error('no app');
    edit(app.charmDir, 'metadata.yaml', (t) =>
      t.replace('summary: Counts its peers', 'summary: Counts'),
    );
    refresh(deps, { application: 'counter' });
    expect(deps.charms.load(app.charmDir, '/').meta.summary).toMatch(/^Counts and tells/);
  });

  it.each([
    [
      'another charm',
      (f: string) => edit(f, 'metadata.yaml', (t) => t.replace('name: counter', 'name: other')),
      /holds charm "other", but counter runs charm "counter"/,
    ],
    [
      'a dropped endpoint in use',
      (f: string) => edit(f, 'metadata.yaml', (t) => t.replace(/provides:\n(.*\n){2}/, '')),
      /drops endpoint "api", in use by its relation to client:api/,
    ],
    [
      'an endpoint in use with another interface',
      (f: string) => edit(f, 'metadata.yaml', (t) => t.replace('counter-api', 'other-api')),
      /makes endpoint "api" provider of other-api, but its relation to client:api uses it as provider of counter-api/,
    ],
    [
      'an option set that the new charm dropped',
      (f: string) => edit(f, 'config.yaml', (t) => t.replace(/ {2}greeting:\n(.*\n){3}/, '')),
      /option greeting as set: unknown option "greeting" for charm counter/,
    ],
    [
      'no charm code',
      (f: string) => rmSync(join(f, 'charm.ts')),
      /has no charm code \(charm\.ts, charm\.js, charm\.mjs\)/,
    ],
  ])('refuses %s and changes nothing', (_what, change, message) => {
    const { deps, model, copy } = setup();
    const v2 = copy('v2');
    change(v2);
    const before = model();
    expect(() => refresh(deps, { application: 'counter', path: v2 })).toThrow(RefreshRefusedError);
    expect(() => refresh(deps, { application: 'counter', path: v2 })).toThrow(message);
    expect(model()).toEqual(before);
  });

  it('refuses a missing folder, unknown or current revisions, and both flags at once', () => {
    const { deps, model, dir } = setup();
    const before = model();
    expect(() => refresh(deps, { application: 'counter', path: join(dir, 'nope') })).toThrow(
      /nope/,
    );
    expect(() => refresh(deps, { application: 'counter', revision: 7 })).toThrow(
      CharmRevisionNotFoundError,
    );
    expect(() => refresh(deps, { application: 'counter', revision: 1 })).toThrow(
      /already runs charm revision 1/,
    );
    expect(() => refresh(deps, { application: 'counter', path: dir, revision: 1 })).toThrow(
      /give --path or --revision, not both/,
    );
    expect(() => refresh(deps, { application: 'counter', path: 'relative/dir' })).toThrow(
      /must be absolute/,
    );
    expect(() => refresh(deps, { application: 'ghost' })).toThrow(/application "ghost" not found/);
    expect(model()).toEqual(before);
  });
});
