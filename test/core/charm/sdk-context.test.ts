// The hook context's semantics (DESIGN §6–7): buffered writes, "" deletes, leader-only app
// writes, peers, private-address, stored state, status, redacted logs, the outcome.
import { describe, expect, it } from 'vitest';
import {
  AppBagWriteError,
  HookFinishedError,
  RelationDataError,
  RemoteUnitNotInScopeError,
  StateValueError,
  UnknownEndpointError,
  createHookContext,
  defineCharm,
  runHook,
} from '../../../core/charm/index.js';
import { input } from './sdk-helpers.js';

const db = {
  kind: 'relation-changed',
  relationId: 1,
  endpoint: 'db',
  remoteApp: 'postgres',
} as const;

describe('hook context', () => {
  it('names the hook, unit and app, and gives read-only typed config', () => {
    const { ctx } = createHookContext<{ port: number }>(
      input({ hook: { ...db, remoteUnit: 'postgres/0' } }),
    );
    expect(ctx.hookName).toBe('db-relation-changed');
    expect([ctx.unit, ctx.app, ctx.isLeader]).toEqual(['web/0', 'web', false]);
    expect(ctx.config.port).toBe(80);
    expect(Object.isFrozen(ctx.config)).toBe(true);
    expect(ctx.relation?.id).toBe(1);
    expect(ctx.remoteUnit).toBe('postgres/0');
    expect(ctx.action).toBeUndefined();
  });

  it('shows a relation with its interface, remote app, units in scope and bags', () => {
    const { ctx } = createHookContext(input());
    const [rel] = ctx.relations('db');
    expect(rel).toMatchObject({ id: 1, endpoint: 'db', interface: 'pgsql', role: 'requirer' });
    expect(rel?.remoteAppName).toBe('postgres');
    expect(rel?.units).toEqual(['postgres/0']);
    expect(rel?.remote('postgres/0').get('host')).toBe('10.0.0.9');
    expect(rel?.remoteApp().get('database')).toBe('web');
    expect(rel?.app.get('schema')).toBe('v1');
    expect(ctx.relations().map((r) => r.id)).toEqual([1, 2]);
    expect(ctx.relations('site')).toEqual([]);
  });

  it('pre-sets private-address in the unit bag, and lets the charm overwrite it', () => {
    const { ctx, finish } = createHookContext(input());
    const [rel] = ctx.relations('db');
    expect(rel?.local.get('private-address')).toBe('10.0.0.1');
    rel?.local.set('private-address', '10.0.0.100');
    expect(finish().relations[0]?.unit).toEqual({ 'private-address': '10.0.0.100' });
  });

  it('shows the hook its own writes at once, but puts them only in the outcome', () => {
    const base = input();
    const { ctx, finish } = createHookContext(base);
    const [rel] = ctx.relations('db');
    rel?.local.set('user', 'web');
    expect(rel?.local.get('user')).toBe('web');
    expect(rel?.local.toObject()).toEqual({ 'private-address': '10.0.0.1', user: 'web' });
    expect(base.relations[0]?.local).toEqual({});
    expect(finish().relations).toEqual([
      { relationId: 1, endpoint: 'db', unit: { user: 'web' }, app: {} },
    ]);
  });

  it('deletes a key written as "" and reports only net changes', () => {
    const { ctx, finish } = createHookContext(input({ isLeader: true }));
    const [rel] = ctx.relations('db');
    rel?.app.set('schema', '');
    expect(rel?.app.get('schema')).toBeUndefined();
    rel?.local.set('private-address', '10.0.0.1'); // same value: no change
    rel?.local.delete('absent'); // absent key: no change
    expect(finish().relations).toEqual([
      { relationId: 1, endpoint: 'db', unit: {}, app: { schema: null } },
    ]);
  });

  it('refuses a follower writing the app bag, naming the relation and unit', () => {
    const { ctx } = createHookContext(input());
    const [rel] = ctx.relations('db');
    expect(rel?.app.get('schema')).toBe('v1'); // followers still read it
    expect(() => rel?.app.set('schema', 'v2')).toThrow(AppBagWriteError);
    expect(() => rel?.app.set('schema', 'v2')).toThrow(
      'web/0 is not the leader and cannot write "schema" to the application databag of relation db:1',
    );
    expect(() => rel?.app.delete('schema')).toThrow(AppBagWriteError);
  });

  it('gives the unit its address and refuses resources its metadata does not declare', async () => {
    const { ctx } = createHookContext(input());
    expect(ctx.address).toBe('10.0.0.1');
    await expect(ctx.resource('nope')).rejects.toThrow(
      'charm web declares no resource "nope" (add it under resources: in metadata.yaml)',
    );
    const declared = createHookContext(
      input({
        meta: {
          ...input().meta,
          resources: { bin: { name: 'bin', filename: 'b', description: '' } },
        },
        resource: (name) => Promise.resolve(`/var/lib/rune/resources/web/${name}/b`),
      }),
    );
    expect(await declared.ctx.resource('bin')).toBe('/var/lib/rune/resources/web/bin/b');
  });

  it('lets peers read every unit of their app and share one app bag', () => {
    const { ctx } = createHookContext(input({ isLeader: true }));
    const [peers] = ctx.relations('cluster');
    expect(peers?.units).toEqual(['web/1', 'web/2']);
    expect(peers?.remote('web/2').get('seen')).toBe('2');
    peers?.app.set('leader', 'web/0');
    expect(peers?.remoteApp().get('leader')).toBe('web/0');
  });

  it('refuses unknown endpoints, units out of scope and non-string values', () => {
    const { ctx } = createHookContext(input());
    expect(() => ctx.relations('dbx')).toThrow(UnknownEndpointError);
    expect(() => ctx.relations('dbx')).toThrow('its endpoints: db, site, cluster');
    const [rel] = ctx.relations('db');
    expect(() => rel?.remote('postgres/7')).toThrow(RemoteUnitNotInScopeError);
    expect(() => rel?.local.set('port', 5432 as unknown as string)).toThrow(RelationDataError);
    expect(() => rel?.local.set('', 'x')).toThrow('keys must be non-empty strings');
  });

  it('drops a departing unit from the units in scope but still reads its bag', () => {
    const hook = { ...db, kind: 'relation-departed', remoteUnit: 'postgres/0' } as const;
    const { ctx } = createHookContext(input({ hook }));
    expect(ctx.relation?.units).toEqual([]);
    expect(ctx.relation?.remote('postgres/0').get('host')).toBe('10.0.0.9');
  });

  it('buffers stored state as JSON copies and reports sets and deletes', () => {
    const { ctx, finish } = createHookContext(input({ state: { count: 1, old: 'x' } }));
    const list = [1];
    ctx.state.set('list', list);
    list.push(2);
    expect(ctx.state.get('list')).toEqual([1]);
    ctx.state.set('count', 1); // unchanged
    ctx.state.set('none', null);
    ctx.state.delete('old');
    expect(ctx.state.get('old')).toBeUndefined();
    // A key the state never held reads as absent, whatever Object.prototype has under it.
    expect(ctx.state.get('toString')).toBeUndefined();
    expect(() => ctx.state.set('f', (() => 1) as unknown as string)).toThrow(StateValueError);
    expect(finish().state).toEqual({ set: { list: [1], none: null }, deleted: ['old'] });
  });

  it('keeps the last status and redacts log lines and status messages', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----';
    const redact = (text: string) => text.replace(/-----BEGIN[\s\S]*KEY-----/g, '[redacted]');
    const { ctx, finish } = createHookContext(input({ redact }));
    ctx.log.info(`key is ${pem}`);
    ctx.log.warn('plain');
    ctx.status.set('maintenance', 'installing');
    ctx.status.set('blocked', `bad key ${pem}`);
    const outcome = finish();
    expect(outcome.logs).toEqual([
      { level: 'info', message: 'key is [redacted]' },
      { level: 'warn', message: 'plain' },
    ]);
    expect(outcome.status).toEqual({ kind: 'blocked', message: 'bad key [redacted]' });
  });

  it('refuses writes after the hook returned', () => {
    const { ctx, finish } = createHookContext(input());
    finish();
    expect(() => ctx.relations('db')[0]?.local.set('late', 'x')).toThrow(HookFinishedError);
    expect(() => ctx.state.set('late', 1)).toThrow(HookFinishedError);
  });

  it('passes each written bag through the validateWrite seam before the commit', () => {
    const seen: string[] = [];
    const { ctx, finish } = createHookContext(
      input({
        isLeader: true,
        validateWrite: (relation, owner, bag) => {
          seen.push(`${relation.interface} ${owner} ${JSON.stringify(bag)}`);
          if (bag['user'] === 'root')
            throw new Error(`relation db:${relation.id}: user may not be root`);
        },
      }),
    );
    ctx.relations('db')[0]?.app.set('schema', 'v2');
    finish();
    expect(seen).toEqual(['pgsql web {"schema":"v2"}']);
  });
});

describe('runHook', () => {
  it('discards every write of a hook that throws, but keeps its logs', async () => {
    const charm = defineCharm({
      reconcile: (ctx) => {
        ctx.relations('db')[0]?.local.set('user', 'web');
        ctx.state.set('count', 2);
        ctx.status.set('active', 'ready');
        ctx.log.info('about to fail');
        throw new Error('boom');
      },
    });
    const result = await runHook(charm, input());
    expect(result.ok).toBe(false);
    expect(result).not.toHaveProperty('outcome');
    if (!result.ok) {
      expect((result.error as Error).message).toBe('boom');
      expect(result.logs).toEqual([{ level: 'info', message: 'about to fail' }]);
    }
  });

  it('collects unit and app writes, status, state and logs of a hook that succeeds', async () => {
    const charm = defineCharm({
      reconcile: (ctx) => {
        const [rel] = ctx.relations('db');
        rel?.local.set('user', 'web');
        rel?.app.set('schema', 'v2');
        ctx.state.set('count', 2);
        ctx.status.set('active', 'ready');
      },
    });
    const result = await runHook(charm, input({ isLeader: true }));
    expect(result).toEqual({
      ok: true,
      outcome: {
        hookName: 'config-changed',
        relations: [
          { relationId: 1, endpoint: 'db', unit: { user: 'web' }, app: { schema: 'v2' } },
        ],
        status: { kind: 'active', message: 'ready' },
        state: { set: { count: 2 }, deleted: [] },
        leaderSettings: {},
        logs: [],
      },
    });
  });

  it('fails the hook when the validateWrite seam refuses a bag', async () => {
    const charm = defineCharm({
      reconcile: (ctx) => ctx.relations('db')[0]?.local.set('user', 'root'),
    });
    const validateWrite = () => {
      throw new Error('relation db:1, web/0, key "user": may not be root');
    };
    const result = await runHook(charm, input({ validateWrite }));
    expect(result.ok).toBe(false);
  });

  it('carries action results and fail() in the outcome', async () => {
    const charm = defineCharm({
      actions: {
        backup: (ctx) => {
          ctx.action?.setResult('path', `/backups/${String(ctx.action.params['name'])}`);
          ctx.action?.fail('disk nearly full');
        },
      },
    });
    const result = await runHook(
      charm,
      input({
        hook: { kind: 'action', action: 'backup' },
        action: { name: 'backup', params: { name: 'b1' } },
      }),
    );
    expect(result.ok && result.outcome.hookName).toBe('backup-action');
    expect(result.ok && result.outcome.action).toEqual({
      name: 'backup',
      results: { path: '/backups/b1' },
      failed: 'disk nearly full',
    });
  });
});
