// Which handler a hook runs: exact hook name, else `*-relation-<kind>`, else reconcile; a
// specific handler replaces reconcile and may call it; actions need a handler.
import { describe, expect, it } from 'vitest';
import {
  CharmDefinitionError,
  MissingActionHandlerError,
  type ActionHook,
  type Hook,
  type CharmModule,
  checkCharmModule,
  createHookContext,
  defineCharm,
  dispatch,
  parseHandlerKey,
} from '../../../core/charm/index.js';
import { input } from './sdk-helpers.js';

let calls: string[] = [];

async function ran(charm: CharmModule, hook: Hook | ActionHook): Promise<string[]> {
  calls = [];
  const action = hook.kind === 'action' ? { action: { name: hook.action, params: {} } } : {};
  const { ctx } = createHookContext(input({ hook, ...action }));
  await dispatch(charm, ctx);
  return calls;
}

const record = (name: string) => () => {
  calls.push(name);
};

const rel = (
  kind: 'relation-departed' | 'relation-joined',
  endpoint: string,
  relationId: number,
): Hook => ({
  kind,
  relationId,
  endpoint,
  remoteApp: endpoint === 'db' ? 'postgres' : 'web',
  remoteUnit: endpoint === 'db' ? 'postgres/0' : 'web/1',
});

const charm = defineCharm({
  reconcile: record('reconcile'),
  on: {
    stop: record('stop'),
    'db-relation-departed': record('db-departed'),
    '*-relation-departed': record('any-departed'),
    'cluster-relation-joined': async (_ctx, reconcile) => {
      record('cluster-joined')();
      await reconcile();
    },
  },
  actions: { backup: record('backup') },
});

describe('dispatch', () => {
  it.each<[string, Hook | ActionHook, string[]]>([
    ['reconcile runs for hooks without a handler', { kind: 'install' }, ['reconcile']],
    [
      'reconcile runs for relation hooks without a handler',
      rel('relation-joined', 'db', 1),
      ['reconcile'],
    ],
    ['a specific handler replaces reconcile', { kind: 'stop' }, ['stop']],
    ['an exact name beats the * pattern', rel('relation-departed', 'db', 1), ['db-departed']],
    [
      '* matches the relation kind on any endpoint',
      rel('relation-departed', 'cluster', 2),
      ['any-departed'],
    ],
    [
      'a handler calls reconcile when it wants it',
      rel('relation-joined', 'cluster', 2),
      ['cluster-joined', 'reconcile'],
    ],
    ['an action runs its handler only', { kind: 'action', action: 'backup' }, ['backup']],
  ])('%s', async (_name, hook, expected) => {
    expect(await ran(charm, hook)).toEqual(expected);
  });

  it('does nothing for a hook when the charm has neither handler nor reconcile', async () => {
    expect(await ran(defineCharm({}), { kind: 'install' })).toEqual([]);
  });

  it('refuses an action the charm has no handler for', async () => {
    await expect(ran(defineCharm({}), { kind: 'action', action: 'restore' })).rejects.toThrow(
      MissingActionHandlerError,
    );
  });
});

describe('defineCharm', () => {
  it('parses handler keys', () => {
    expect(parseHandlerKey('stop')).toEqual({ kind: 'lifecycle', hook: 'stop' });
    expect(parseHandlerKey('*-relation-departed')).toEqual({
      kind: 'relation',
      endpoint: '*',
      hook: 'relation-departed',
    });
    expect(parseHandlerKey('kube-api-endpoint-relation-joined')).toEqual({
      kind: 'relation',
      endpoint: 'kube-api-endpoint',
      hook: 'relation-joined',
    });
    expect(parseHandlerKey('relation-departed')).toBeUndefined();
    expect(parseHandlerKey('db-relation-left')).toBeUndefined();
  });

  it('refuses handler keys that match no hook, naming them', () => {
    expect(() => defineCharm({ on: { 'relation-departed': () => {}, instal: () => {} } })).toThrow(
      CharmDefinitionError,
    );
    expect(() => defineCharm({ on: { instal: () => {} } })).toThrow('on["instal"] matches no hook');
  });

  it('keeps a warm-up for the controller to call, and refuses one that is not a function', () => {
    let warmed = 0;
    const module = defineCharm({ warm: () => void (warmed += 1) });
    expect(warmed).toBe(0);
    module.warm?.();
    expect(warmed).toBe(1);
    expect(defineCharm({}).warm).toBeUndefined();
    const bad = { warm: 'keys' } as unknown as Parameters<typeof defineCharm>[0];
    expect(() => defineCharm(bad)).toThrow('warm must be a function');
  });

  it('checks a module against its charm: endpoints and actions', () => {
    const module = defineCharm({
      on: { 'dbx-relation-joined': () => {} },
      actions: { restore: () => {} },
    });
    const problems = checkCharmModule(module, {
      meta: input().meta,
      config: { options: {}, schema: {} },
      actions: { backup: { name: 'backup', description: '', params: {} } },
      dir: '/charms/web',
    });
    expect(problems).toEqual([
      'on["dbx-relation-joined"]: charm web has no endpoint "dbx" (endpoints: db, site, cluster)',
      'actions["restore"]: actions.yaml of web declares no such action',
      'action "backup" is declared in actions.yaml but has no handler',
    ]);
  });
});
