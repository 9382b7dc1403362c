// The harness on the example counter charm: state in → hook → state out, and one test per
// state Rune could never produce, each refused with a message that says why.
import { fakeMachine } from '../../../core/charm/fake-machine.js';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  AppBagWriteError,
  CharmDefinitionError,
  Harness,
  type HarnessState,
  ImpossibleStateError,
  defineCharm,
} from '../../../core/charm/index.js';
import { charm } from '../../fixtures/charms/sdk/counter/charm.js';

const dir = fileURLToPath(new URL('../../fixtures/charms/sdk/counter', import.meta.url));
const harness = Harness.load(dir, charm);

/** counter/0 with two peers in scope and one related client. */
const base = (overrides: Partial<HarnessState> = {}): HarnessState => ({
  unit: 'counter/0',
  isLeader: true,
  relations: [
    {
      id: 1,
      endpoint: 'cluster',
      remoteApp: 'counter',
      remoteUnits: { 'counter/1': {}, 'counter/2': {} },
    },
    { id: 2, endpoint: 'api', remoteApp: 'client', remoteUnits: { 'client/0': { want: 'count' } } },
  ],
  ...overrides,
});

describe('harness on the counter charm', () => {
  it('loads the real metadata and config, with defaults', () => {
    expect(harness.charm.meta.endpoints.map((e) => `${e.name}:${e.interface}`)).toEqual([
      'api:counter-api',
      'cluster:counter-peers',
    ]);
    expect(harness.charm.config.options['port']?.default).toBe(8080);
  });

  it('reconciles: counts peers, writes unit and app bags as leader, sets status', async () => {
    const out = await harness.run(base(), 'config-changed');
    expect(out.ok).toBe(true);
    expect(out.state.status).toEqual({ kind: 'active', message: '2 peers' });
    const [cluster, api] = out.state.relations ?? [];
    expect(cluster?.local).toEqual({ 'private-address': '192.0.2.1', 'seen-peers': '2' });
    expect(cluster?.app).toEqual({ units: '3' });
    expect(api?.local).toEqual({ 'private-address': '192.0.2.1', port: '8080' });
    expect(api?.app).toEqual({ greeting: 'hello' });
    expect(out.state.stored).toEqual({ peers: 2 });
    expect(out.state.machine?.files).toEqual({
      '/etc/counter/counter.conf': 'port=8080\npeers=2\n',
    });
    expect(out.state.machine?.services?.['counter']?.state).toBe('running');
    expect(out.machineCalls.map((c) => c.op)).toEqual(['writeFile', 'service', 'service']);
  });

  it('as a follower, writes only its unit bags', async () => {
    const out = await harness.run(
      base({ isLeader: false, config: { port: 9000 } }),
      'config-changed',
    );
    const [cluster, api] = out.state.relations ?? [];
    expect(cluster?.app).toEqual({});
    expect(api?.local?.['port']).toBe('9000');
    expect(api?.app).toEqual({});
  });

  it('feeds state out into the next hook: a peer joins, then departs', async () => {
    const joined = await harness.run(base(), {
      kind: 'relation-joined',
      relationId: 1,
      remoteUnit: 'counter/3',
    });
    expect(joined.state.status?.message).toBe('3 peers');
    const departed = await harness.run(joined.state, {
      kind: 'relation-departed',
      relationId: 1,
      remoteUnit: 'counter/1',
    });
    expect(departed.state.status?.message).toBe('2 peers');
    expect(Object.keys(departed.state.relations?.[0]?.remoteUnits ?? {})).toEqual([
      'counter/2',
      'counter/3',
    ]);
  });

  it('carries leader settings from state in to state out', async () => {
    const minting = new Harness(
      harness.charm,
      defineCharm({
        reconcile(ctx) {
          if (ctx.isLeader) ctx.leaderSettings.set('token', `${ctx.leaderSettings.get('n')}-x`);
        },
        actions: charm.actions,
      }),
    );
    const led = await minting.run(base({ leaderSettings: { n: '1' } }), 'config-changed');
    expect(led.state.leaderSettings).toEqual({ n: '1', token: '1-x' });
    const followed = await minting.run(
      base({ isLeader: false, leaderSettings: { n: '1' } }),
      'leader-settings-changed',
    );
    expect(followed.state.leaderSettings).toEqual({ n: '1' });
  });

  it('runs the stop handler instead of reconcile', async () => {
    const running = await harness.run(base(), 'start');
    const out = await harness.run(running.state, 'stop');
    expect(out.state.status).toEqual({ kind: 'maintenance', message: 'stopped' });
    expect(out.state.machine?.services?.['counter']?.state).toBe('stopped');
    expect(out.machineCalls).toEqual([{ op: 'service', action: 'stop', name: 'counter' }]);
  });

  it('drops a broken relation from the state out', async () => {
    const state = base({ relations: [{ id: 2, endpoint: 'api', remoteApp: 'client' }] });
    const out = await harness.run(state, { kind: 'relation-broken', relationId: 2 });
    expect(out.state.relations).toEqual([]);
  });

  it('runs an action with params defaulted, answering commands from the table', async () => {
    const state = base({ machine: { run: { 'counter-ctl count': '42\n' } } });
    const out = await harness.runAction(state, 'report', { verbose: true });
    expect(out.action).toEqual({ name: 'report', results: { count: '42', raw: '42\n' } });
    const quiet = await harness.runAction(state, 'report');
    expect(quiet.action?.results).toEqual({ count: '42' });
  });

  it('answers a command given a list with each answer in turn, the last repeating', async () => {
    const { machine } = fakeMachine({ run: { poll: ['starting', { code: 1 }, 'ready'] } });
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const r = await machine.run('poll');
      answers.push(`${r.code}:${r.stdout.toString()}`);
    }
    expect(answers).toEqual(['0:starting', '1:', '0:ready', '0:ready']);
  });

  it('fails a command missing from the table, saying how to answer it', async () => {
    const out = await harness.runAction(base(), 'report');
    expect(out.ok).toBe(false);
    expect(String(out.error)).toContain(
      `no answer for command "counter-ctl count"; add it to the state's machine.run`,
    );
  });

  it('redacts secrets from logs with the controller redact by default', async () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----';
    const out = await harness.run(base({ config: { greeting: pem } }), 'config-changed');
    expect(out.logs).toEqual([{ level: 'info', message: 'greeting is [private key redacted]' }]);
  });

  it('fails a follower writing the app bag like the runtime, discarding its writes', async () => {
    const rogue = new Harness(
      harness.charm,
      defineCharm({
        reconcile: (ctx) => {
          ctx.relations('api')[0]?.local.set('a', 'b');
          ctx.relations('api')[0]?.app.set('greeting', 'hi');
        },
        actions: { report: () => {} },
      }),
    );
    const out = await rogue.run(base({ isLeader: false }), 'update-status');
    expect(out.ok).toBe(false);
    expect(out.error).toBeInstanceOf(AppBagWriteError);
    expect(String(out.error)).toContain(
      'counter/0 is not the leader and cannot write "greeting" to the application databag of relation api:2',
    );
    expect(out.state.relations?.[1]?.local).toBeUndefined();
  });

  it('refuses a charm module whose handlers name endpoints the metadata lacks', () => {
    const module = defineCharm({
      on: { 'db-relation-joined': () => {} },
      actions: { report: () => {} },
    });
    expect(() => new Harness(harness.charm, module)).toThrow(CharmDefinitionError);
  });
});

describe('harness refuses states Rune could never produce', () => {
  const cases: [string, HarnessState, Parameters<Harness['run']>[1], string][] = [
    [
      'a unit name that is not <app>/<n>',
      base({ unit: 'counter' }),
      'install',
      'unit "counter" is not a unit name; Rune names units <app>/<n>, e.g. counter/0',
    ],
    [
      'a relation on an endpoint metadata.yaml lacks',
      base({ relations: [{ id: 1, endpoint: 'db', remoteApp: 'pg' }] }),
      'install',
      'relation db:1 is on endpoint "db", which metadata.yaml of counter does not declare (endpoints: api, cluster)',
    ],
    [
      'two relations with one id',
      base({
        relations: [
          { id: 1, endpoint: 'api', remoteApp: 'a' },
          { id: 1, endpoint: 'api', remoteApp: 'b' },
        ],
      }),
      'install',
      'relation id 1 appears twice',
    ],
    [
      'two relations on one peer endpoint',
      base({
        relations: [
          { id: 1, endpoint: 'cluster', remoteApp: 'counter' },
          { id: 2, endpoint: 'cluster', remoteApp: 'counter' },
        ],
      }),
      'install',
      'endpoint "cluster" has 2 relations, but a peer endpoint has exactly one relation',
    ],
    [
      'a remote unit of another application',
      base({
        relations: [
          { id: 2, endpoint: 'api', remoteApp: 'client', remoteUnits: { 'other/0': {} } },
        ],
      }),
      'install',
      'relation api:2 is with "client", but lists remote unit "other/0", which is not a unit of client',
    ],
    [
      'a peer relation with another application',
      base({ relations: [{ id: 1, endpoint: 'cluster', remoteApp: 'client' }] }),
      'install',
      'peer relation cluster:1 has remote app "client", but peers are units of the unit\'s own application "counter"',
    ],
    [
      'a unit as its own peer',
      base({
        relations: [
          { id: 1, endpoint: 'cluster', remoteApp: 'counter', remoteUnits: { 'counter/0': {} } },
        ],
      }),
      'install',
      'relation cluster:1 lists counter/0 as its own remote unit',
    ],
    [
      'config the charm does not have',
      base({ config: { colour: 'red' } }),
      'config-changed',
      'config the controller would refuse: colour: unknown option "colour" for charm counter',
    ],
    [
      'config of the wrong type',
      base({ config: { port: '80' } }),
      'config-changed',
      'port: must be an integer, got string "80"',
    ],
    [
      'a hook for a relation not in the state',
      base(),
      { kind: 'relation-changed', relationId: 9 },
      'relation-changed for relation id 9, which the state does not hold (relations: cluster:1, api:2)',
    ],
    [
      'a hook whose endpoint disagrees with its relation',
      base(),
      { kind: 'relation-changed', relationId: 2, endpoint: 'cluster' },
      'hook says endpoint "cluster" but relation api:2 has "api"',
    ],
    [
      '-joined without a remote unit',
      base(),
      { kind: 'relation-joined', relationId: 2 },
      'api-relation-joined on api:2 needs remoteUnit',
    ],
    [
      '-created with a remote unit',
      base({ relations: [{ id: 2, endpoint: 'api', remoteApp: 'client' }] }),
      { kind: 'relation-created', relationId: 2, remoteUnit: 'client/0' },
      'api-relation-created on api:2 is about the relation, not a unit; drop remoteUnit "client/0"',
    ],
    [
      'a hook about a remote unit of another application',
      base(),
      { kind: 'relation-joined', relationId: 2, remoteUnit: 'other/1' },
      'lists remote unit "other/1", which is not a unit of client',
    ],
    [
      '-changed before -joined',
      base(),
      { kind: 'relation-changed', relationId: 2, remoteUnit: 'client/1' },
      'api-relation-changed for client/1 on api:2 before api-relation-joined: Rune always runs -joined for a unit first',
    ],
    [
      '-departed for a unit not in scope',
      base(),
      { kind: 'relation-departed', relationId: 2, remoteUnit: 'client/5' },
      'api-relation-departed for client/5 on api:2, which is not in scope (in scope: client/0); only a joined unit can depart',
    ],
    [
      '-created with units already in scope',
      base(),
      { kind: 'relation-created', relationId: 2 },
      'api-relation-created on api:2 with remote units in scope (client/0); -created runs before any -joined',
    ],
    [
      '-broken with units still in scope',
      base(),
      { kind: 'relation-broken', relationId: 2 },
      'api-relation-broken on api:2 with remote units in scope (client/0); every unit departs before -broken',
    ],
    [
      'leader-elected on a follower',
      base({ isLeader: false }),
      'leader-elected',
      'leader-elected runs only on the leader, but the state has isLeader: false',
    ],
    [
      'leader-settings-changed on the leader',
      base(),
      'leader-settings-changed',
      'leader-settings-changed runs only on followers, but the state has isLeader: true',
    ],
  ];

  it.each(cases)('%s', async (_name, state, hook, message) => {
    const run = harness.run(state, hook);
    await expect(run).rejects.toThrow(ImpossibleStateError);
    await expect(harness.run(state, hook)).rejects.toThrow(message);
  });

  it('an action actions.yaml does not declare', async () => {
    await expect(harness.runAction(base(), 'reset')).rejects.toThrow(
      'action "reset" is not in actions.yaml of counter (actions: report); Rune refuses undeclared actions',
    );
  });

  it('action params that break the action schema', async () => {
    await expect(harness.runAction(base(), 'report', { verbose: 'yes' })).rejects.toThrow(
      'params of action "report" break its schema: verbose must be boolean',
    );
  });

  it('-joined for a unit already joined is allowed (not validated)', async () => {
    const out = await harness.run(base(), {
      kind: 'relation-joined',
      relationId: 2,
      remoteUnit: 'client/0',
    });
    expect(out.ok).toBe(true);
  });
});
