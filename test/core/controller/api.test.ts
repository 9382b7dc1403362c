// The API over a real unix socket: mode 0600, JSON round trips, the controller's typed errors
// reaching the CLI with their message, and exec output streamed byte-exact with its exit code.
import { mkdtempSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../core/controller/api-client.js';
import { type ControllerApi, listen } from '../../../core/controller/api-server.js';
import {
  ControllerRequestError,
  ControllerUnreachableError,
} from '../../../core/controller/errors.js';
import { MachineNotFoundError } from '../../../core/store/errors.js';

const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

const api: ControllerApi = {
  ping: () => ({ name: 'test', id: 'abc123', version: '0.1.0', pid: 1 }),
  status: () =>
    Promise.resolve({
      model: { name: 'default', controller: 'test', cloud: 'local', version: '0.1.0' },
      machines: {},
    }),
  addMachines: () => Promise.resolve({ machines: [] }),
  removeMachine: (id) => Promise.reject(new MachineNotFoundError(id)),
  sshAccess: () => {
    throw new Error(
      'boom: -----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----',
    );
  },
  exec: (_machine, _command, sink) => {
    sink.out(binary);
    sink.err(Buffer.from('warning\n'));
    return Promise.resolve(42);
  },
  shutdown: () => Promise.resolve(),
  deploy: () => Promise.resolve({ changes: [], warnings: [] }),
  addUnits: () => Promise.resolve({ units: [] }),
  relate: ({ a, b }) => ({ relation: `${a} - ${b}` }),
  resolve: () => undefined,
  run: ({ target }) => ({ id: 7, unit: target }),
  action: (id) => ({
    id,
    unit: 'etcd/0',
    name: 'health',
    params: {},
    status: 'completed',
    results: { healthy: 'true' },
    message: '',
    enqueuedAt: '2026-01-01T00:00:00Z',
  }),
  attachResources: ({ files }) => ({
    attached: Object.keys(files).map((name) => ({ name, revision: 1, sha256: 'ab', size: 2 })),
  }),
  hookLog: () => ({ entries: [] }),
  pending: () => ({ units: [], deploying: false }),
  modelConfig: () => ({ settings: {} }),
  setModelConfig: () => undefined,
  removeUnits: () => undefined,
  removeApplication: () => undefined,
  removeRelation: ({ a, b }) => ({ relation: `${a} - ${b}` }),
  config: () => ({ options: {} }),
  setConfig: () => undefined,
};

let server: Server | undefined;
afterEach(() => server?.close());

async function serve() {
  const socket = join(mkdtempSync(join(tmpdir(), 'rune-api-')), 'api.sock');
  server = await listen(api, socket);
  return { socket, client: new ApiClient('test', socket) };
}

describe('controller API', () => {
  it('listens on a socket only its owner can use', async () => {
    const { socket } = await serve();
    expect(statSync(socket).mode & 0o777).toBe(0o600);
  });

  it('answers JSON requests', async () => {
    const { client } = await serve();
    expect(await client.ping()).toMatchObject({ name: 'test', id: 'abc123' });
    expect((await client.status()).machines).toEqual({});
  });

  it("carries the controller's user errors with their message", async () => {
    const { client } = await serve();
    const error = await client.removeMachine('9', false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ControllerRequestError);
    expect(error).toMatchObject({
      kind: 'user',
      type: 'MachineNotFoundError',
      message: 'machine 9 not found; rune status lists the machines',
    });
  });

  it('never lets a private key out in an error', async () => {
    const { client } = await serve();
    const error = (await client.sshAccess('0').catch((e: unknown) => e)) as Error;
    expect(error.message).toBe('boom: [private key redacted]');
  });

  it('streams exec output byte-exact and returns the exit code', async () => {
    const { client } = await serve();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const code = await client.exec('0', 'x', { out: (c) => out.push(c), err: (c) => err.push(c) });
    expect(code).toBe(42);
    expect(Buffer.concat(out).equals(binary)).toBe(true);
    expect(Buffer.concat(err).toString()).toBe('warning\n');
  });

  it('says a controller is not running when its socket is gone', async () => {
    const client = new ApiClient('gone', join(tmpdir(), 'rune-no-such.sock'));
    await expect(client.ping()).rejects.toThrow(ControllerUnreachableError);
    await expect(client.ping()).rejects.toThrow(
      'controller "gone" is not reachable (it is not running)',
    );
  });
});
