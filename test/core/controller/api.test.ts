// The API over a real unix socket: mode 0600, JSON round trips, the controller's typed errors
// reaching the CLI with their message, and exec output streamed byte-exact with its exit code.
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../core/controller/api-client.js';
import {
  ControllerRequestError,
  ControllerUnreachableError,
} from '../../../core/controller/errors.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import { RuneError } from '../../../core/model/errors.js';
import { MachineNotFoundError } from '../../../core/store/errors.js';
import { fakeControllerApi, type Served, serveApi } from '../../fakes/fake-controller-api.js';

/** An error of ours whose message carries a key by mistake. */
class KeyError extends RuneError {
  readonly kind = 'internal';
}

const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

const api = fakeControllerApi(new ModelEvents(), {
  removeMachine: (id) => Promise.reject(new MachineNotFoundError(id)),
  sshAccess: () => {
    throw new KeyError(
      'boom: -----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----',
    );
  },
  exec: (_machine, _command, sink) => {
    sink.out(binary);
    sink.err(Buffer.from('warning\n'));
    return Promise.resolve(42);
  },
});

let served: Served | undefined;
afterEach(() => served?.close());

async function serve() {
  served = await serveApi(api);
  return served;
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

  it('answers status as text, rendered by the controller, in each format', async () => {
    const { client } = await serve();
    const tabular = await client.statusText({ format: 'tabular', relations: false, patterns: [] });
    expect(tabular).toMatch(/^Model\s+Controller\s+Cloud/);
    const json = await client.statusText({ format: 'json', relations: false, patterns: [] });
    expect(JSON.parse(json ?? '')).toMatchObject({ model: { controller: 'test' }, machines: {} });
    const refused = await client
      .statusText({ format: 'xml' as 'json', relations: false, patterns: [] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ControllerRequestError);
    expect((refused as Error).message).toMatch(/format: .*tabular, yaml, json/);
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

describe('a member of a highly available controller standing by', () => {
  it('answers reads, refuses changes naming the way to the active member, and probes nothing', async () => {
    const probes: boolean[] = [];
    const related: string[] = [];
    const standby = fakeControllerApi(new ModelEvents(), {
      status: (probe) => {
        probes.push(probe ?? true);
        return Promise.resolve({
          model: { name: 'default', controller: 'ha', cloud: 'local', version: '0' },
          machines: {},
        });
      },
      relate: (request) => {
        related.push(`${request.a} ${request.b}`);
        return { relation: 'a:b' };
      },
    });
    let active = false;
    served = await serveApi(standby, undefined, () => ({ id: 1, active }));
    expect((await served.client.status()).model.controller).toBe('ha');
    expect(probes).toEqual([false]);
    const refused = await served.client.relate('a', 'b').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ControllerRequestError);
    expect((refused as Error).message).toBe(
      'controller member 1 stands by and takes no changes; the CLI sends them to the active ' +
        'member (rune controllers shows which it is)',
    );
    expect(related).toEqual([]);
    // Elected: the same member takes changes and probes.
    active = true;
    await served.client.relate('a', 'b');
    await served.client.status();
    expect(related).toEqual(['a b']);
    expect(probes).toEqual([false, true]);
  });
});
