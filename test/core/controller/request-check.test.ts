// Every API route refuses a malformed request with HTTP 400 and a message naming the field (issue
// 15 item 9): null, a string, a wrong-typed field, over a real socket, before the (fake)
// controller sees it; what the CLI's client sends passes; a 500 never carries internals.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerApi } from '../../../core/controller/api-server.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import { PlanInputError } from '../../../core/planner/errors.js';
import { BODY_SCHEMAS, QUERY_SCHEMAS } from '../../../core/controller/request-schemas.js';
import { fakeControllerApi, type Served, serveApi } from '../../fakes/fake-controller-api.js';

/** Every call the fake controller received, by method name. */
const calls: string[] = [];
const recorded = (api: ControllerApi): ControllerApi =>
  new Proxy(api, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        calls.push(key);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });

const logged: string[] = [];
let served: Served | undefined;
afterEach(() => {
  served?.close();
  calls.length = 0;
  logged.length = 0;
});

async function serve(overrides: Partial<ControllerApi> = {}) {
  served = await serveApi(recorded(fakeControllerApi(new ModelEvents(), overrides)), (line) =>
    logged.push(line),
  );
  return served;
}

interface Answer {
  status: number;
  json: { error?: { kind: string; message: string } };
}

/** A raw request, so bodies the client would never send can be sent. */
function raw(socket: string, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const json = JSON.parse(text.split('\n')[0] ?? '{}') as Answer['json'];
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Each POST route with a body whose one field has the wrong type, and what the answer says. */
const wrongField: [string, unknown, string][] = [
  [
    'POST /v1/machines',
    { count: 'two', constraints: '' },
    'count: must be a whole number from 1, got a string',
  ],
  [
    'POST /v1/exec',
    { machine: 0, command: 'ls' },
    'machine: must be a machine id, got a whole number',
  ],
  [
    'POST /v1/deploy',
    { bundle: '/b.yaml', overlays: '/o.yaml' },
    'overlays: must be a list of absolute paths, got a string',
  ],
  [
    'POST /v1/diff-bundle',
    { bundle: 'b.yaml', overlays: [] },
    'bundle: must be an absolute path to a bundle file, got "b.yaml"',
  ],
  [
    'POST /v1/export-bundle',
    { relativeTo: 3 },
    'relativeTo: must be an absolute folder, got a whole number',
  ],
  [
    'POST /v1/units',
    { application: 'etcd', count: '2' },
    'count: must be a whole number from 1, got a string',
  ],
  [
    'POST /v1/relations',
    { a: 'etcd', b: 5 },
    'b: must be an application or application:endpoint, got a whole number',
  ],
  [
    'POST /v1/remove-relation',
    { a: ['etcd'], b: 'easyrsa' },
    'a: must be an application or application:endpoint, got a list',
  ],
  [
    'POST /v1/refresh',
    { application: 'etcd', revision: 1.5 },
    'revision: must be a revision number from 1, got a number',
  ],
  [
    'POST /v1/resolve',
    { unit: 'etcd/0', retry: 'yes' },
    'retry: must be true or false, got a string',
  ],
  [
    'POST /v1/actions',
    { target: 'etcd/0', action: 'health', params: { a: 1 } },
    'params.a: must be a string, got a whole number',
  ],
  [
    'POST /v1/resources',
    { application: 'etcd', files: ['/f'] },
    'files: must be a map of resource names to absolute paths, got a list',
  ],
  [
    'POST /v1/remove-units',
    { units: 'etcd/0', force: false },
    'units: must be a list of unit names, got a string',
  ],
  [
    'POST /v1/remove-application',
    { application: 'etcd', force: null },
    'force: must be true or false, got null',
  ],
  [
    'POST /v1/config',
    { application: 'etcd', values: {}, reset: 'port' },
    'reset: must be a list of option names, got a string',
  ],
  [
    'POST /v1/rollout',
    { application: 'etcd', action: 'pause' },
    'action: must be "resume" or "abort", got "pause"',
  ],
  [
    'POST /v1/rollout-policy',
    { application: 'etcd', policy: { canaries: 2 }, reset: false },
    'policy.canaries: must be text, got a whole number',
  ],
  [
    'POST /v1/rollback',
    { application: 'etcd', to: '3' },
    'to: must be a model revision number, got a string',
  ],
  [
    'POST /v1/sim',
    { action: 'lose', machines: ['3', 'x'] },
    'machines[1]: must be a machine id, got "x"',
  ],
  [
    'POST /v1/model-config',
    { 'update-status-interval': 5 },
    'update-status-interval: must be a string, got a whole number',
  ],
  ['POST /v1/shutdown', { destroy: 'yes' }, 'destroy: must be true or false, got a string'],
];

/** Each GET or DELETE route with a query (or path id) at fault. */
const wrongQuery: [string, string, string, string][] = [
  ['GET /v1/ping', 'GET', '/v1/ping?x=1', 'x: is not a field of this request'],
  ['GET /v1/status', 'GET', '/v1/status?probe=maybe', 'probe: must be true or false, got "maybe"'],
  [
    'GET /v1/status-text',
    'GET',
    '/v1/status-text?format=xml',
    'format: must be tabular, yaml, json, got "xml"',
  ],
  ['DELETE /v1/machines/:id', 'DELETE', '/v1/machines/one', 'id: must be a machine id, got "one"'],
  ['GET /v1/machines/:id/ssh', 'GET', '/v1/machines/01/ssh', 'id: must be a machine id, got "01"'],
  ['GET /v1/actions/:id', 'GET', '/v1/actions/abc', 'id: must be an action id, got "abc"'],
  ['GET /v1/config', 'GET', '/v1/config', 'application: is missing'],
  ['GET /v1/rollouts', 'GET', '/v1/rollouts?all=1', 'all: is not a field of this request'],
  [
    'GET /v1/rollout-policy',
    'GET',
    '/v1/rollout-policy?application=Etcd',
    'application: must be an application name',
  ],
  [
    'GET /v1/history',
    'GET',
    '/v1/history?application=a_b',
    'application: must be an application name',
  ],
  [
    'GET /v1/status-log',
    'GET',
    '/v1/status-log?entity=etcd/0&limit=0',
    'limit: must be a whole number from 1, got "0"',
  ],
  ['GET /v1/model-config', 'GET', '/v1/model-config?k=v', 'k: is not a field of this request'],
  ['GET /v1/pending', 'GET', '/v1/pending?x=', 'x: is not a field of this request'],
  [
    'GET /v1/changes',
    'GET',
    '/v1/changes?after=-2',
    'after: must be a generation (-1 for now), got "-2"',
  ],
  ['GET /v1/hooks', 'GET', '/v1/hooks?after=x', 'after: must be a hook log position, got "x"'],
  ['GET /v1/metrics', 'GET', '/v1/metrics?x=1', 'x: is not a field of this request'],
  ['GET /metrics', 'GET', '/metrics?x=1', 'x: is not a field of this request'],
];

describe('API request validation', () => {
  it('covers every route with a schema', () => {
    const routes = [...wrongField.map(([r]) => r), ...wrongQuery.map(([r]) => r)];
    expect(routes.sort()).toEqual(
      [...Object.keys(BODY_SCHEMAS), ...Object.keys(QUERY_SCHEMAS)].sort(),
    );
  });

  it.each(wrongField)(
    '%s refuses null, a string and a wrong-typed field',
    async (route, body, message) => {
      const { socket } = await serve();
      const [method = '', path = ''] = route.split(' ');
      for (const [sent, says] of [
        ['null', 'the body: must be a map'],
        ['"etcd/0"', 'the body: must be a map'],
        [JSON.stringify(body), message],
      ] as const) {
        const answer = await raw(socket, method, path, sent);
        expect(answer.status, sent).toBe(400);
        expect(answer.json.error?.kind).toBe('user');
        expect(answer.json.error?.message).toContain(`invalid request body for ${route}: `);
        expect(answer.json.error?.message).toContain(says);
        expect(answer.json.error?.message).not.toMatch(/TypeError|at .*\.ts|Cannot read/);
      }
      expect(calls).toEqual([]);
    },
  );

  it.each(wrongQuery)('%s refuses a query at fault', async (_route, method, path, message) => {
    const { socket } = await serve();
    const answer = await raw(socket, method, path);
    expect(answer.status).toBe(400);
    expect(answer.json.error?.message).toContain(message);
    expect(calls).toEqual([]);
  });

  it('names every field at fault, missing and unknown ones too', async () => {
    const { socket } = await serve();
    const answer = await raw(socket, 'POST', '/v1/resolve', '{"unti":"etcd/0"}');
    expect(answer.json.error?.message).toBe(
      'invalid request body for POST /v1/resolve: unit: is missing; retry: is missing; unti: is not a field of this request',
    );
    const units = await raw(
      socket,
      'POST',
      '/v1/remove-units',
      '{"units":["etcd/0","x"],"force":true}',
    );
    expect(units.json.error?.message).toContain(
      'units[1]: must be a unit name like etcd/0, got "x"',
    );
  });

  it("accepts what the CLI's client sends", async () => {
    const { client } = await serve();
    await client.addMachines({ count: 2, constraints: 'mem=1G' });
    await client.addMachines({
      target: 'ssh:root@h',
      privateKeyFile: '/k',
      count: 1,
      constraints: '',
    });
    await client.removeMachine('3', true);
    await client.sshAccess('0');
    await client.exec('0', 'true', { out: () => undefined, err: () => undefined });
    await client.deploy({ bundle: '/b.yaml', overlays: ['/o.yaml'] });
    await client.deploy({ bundle: '/b.yaml', overlays: [], existingMachines: true });
    await client.diffBundle({ bundle: '/b.yaml', overlays: [] });
    await client.exportBundle({});
    await client.exportBundle({ relativeTo: '/tmp' });
    await client.addUnits({ application: 'etcd', count: 2, to: '1' });
    await client.relate('etcd', 'easyrsa:client');
    await client.removeRelation('etcd', 'easyrsa');
    await client.refresh({ application: 'etcd', path: '/c', policy: { canaries: '2' } });
    await client.refresh({ application: 'etcd', revision: 3 });
    await client.resolve('etcd/0', false);
    await client.run({ target: 'etcd/leader', action: 'health', params: { a: 'b' } });
    await client.action(4);
    await client.attachResources({ application: 'etcd', files: { etcd: '/f' }, policy: {} });
    await client.removeUnits(['etcd/0', 'etcd/1'], false);
    await client.removeApplication('etcd', true);
    await client.config('etcd');
    await client.setConfig('etcd', { port: '1' }, ['x'], { watch: '1s-2s' });
    await client.rollouts();
    await client.rollout('etcd', 'abort');
    await client.rolloutPolicy('etcd');
    await client.setRolloutPolicy({ application: 'etcd', policy: {}, reset: true });
    await client.history();
    await client.history('etcd');
    await client.rollback({ application: 'etcd', to: 0 });
    await client.modelConfig();
    await client.setModelConfig({ 'update-status-interval': '5m' });
    await client.pending();
    await client.waitForChange(-1, 0);
    await client.hookLog(7);
    await client.status(false);
    await client.ping();
    await client.shutdown(false);
    expect(calls).toContain('shutdown');
  });

  it('takes names that are also JavaScript property names as plain names', async () => {
    const { client } = await serve();
    const values = JSON.parse('{"constructor":"x","__proto__":"y","toString":"z"}') as Record<
      string,
      string
    >;
    for (const name of ['constructor', 'to-string', 'hasownproperty']) {
      await client.removeUnits([`${name}/0`], false);
      await client.setConfig(name, values, ['__proto__'], undefined);
    }
    expect(calls.filter((c) => c === 'setConfig')).toHaveLength(3);
  });
});

describe('internal errors', () => {
  it('answer 500 with no internals, and log them on the controller', async () => {
    const { socket, client } = await serve({
      removeUnits: () => {
        // What a handler fed a value it did not expect throws: not one of our errors.
        JSON.parse('{');
      },
      sshAccess: () => {
        throw new Error(
          'boom: -----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----',
        );
      },
    });
    const answer = await raw(
      socket,
      'POST',
      '/v1/remove-units',
      '{"units":["etcd/0"],"force":false}',
    );
    expect(answer.status).toBe(500);
    expect(answer.json.error).toEqual({
      kind: 'internal',
      type: 'InternalError',
      message: 'internal error, see the controller log',
    });
    expect(logged.join('\n')).toMatch(/SyntaxError: .*JSON/);
    await expect(client.sshAccess('0')).rejects.toThrow('internal error, see the controller log');
    expect(logged.join('\n')).toContain('boom: [private key redacted]');
    expect(logged.join('\n')).not.toContain('AAAA');
  });

  it('of ours keep their message for the client, and are logged with their stack', async () => {
    const { client } = await serve({
      pending: () => {
        throw new PlanInputError('etcd', 'unit 3 has no placement');
      },
    });
    await expect(client.pending()).rejects.toThrow(/^cannot plan etcd: unit 3 has no placement/);
    expect(logged.join('\n')).toMatch(/PlanInputError: cannot plan etcd[\s\S]*\bat /);
  });
});
