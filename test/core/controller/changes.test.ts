// GET /v1/changes, the long-poll behind --wait, over a real socket: answered as soon as the event
// bus moves past the client's generation or when its timeout passes (capped by the server), and
// a client that leaves early takes its listener and timer with it.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerApi } from '../../../core/controller/api-server.js';
import { ControllerRequestError } from '../../../core/controller/errors.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import {
  fakeControllerApi,
  heldLongPolls,
  type Served,
  serveApi,
} from '../../fakes/fake-controller-api.js';

let served: Served | undefined;
afterEach(() => served?.close());

async function setup(overrides: Partial<ControllerApi> = {}) {
  const events = new ModelEvents();
  served = await serveApi(fakeControllerApi(events, overrides));
  return { events, ...served };
}

describe('GET /v1/changes', () => {
  it('answers after=-1 at once with the current generation', async () => {
    const { events, client } = await setup();
    events.bump();
    events.bump();
    expect(await client.waitForChange(-1, 30_000)).toEqual({ generation: 2 });
  });

  it('holds the request until the model changes, then answers at once', async () => {
    const { events, client } = await setup();
    const answer = client.waitForChange(0, 30_000);
    await heldLongPolls(events, 1);
    events.bump();
    expect(await answer).toEqual({ generation: 1 });
    expect(events.listenerCount('change')).toBe(0);
  }, 5_000);

  it('answers with the same generation when the timeout passes without a change', async () => {
    const { events, client } = await setup();
    expect(await client.waitForChange(0, 20)).toEqual({ generation: 0 });
    expect(events.listenerCount('change')).toBe(0);
  });

  it('holds no request longer than 30 s, whatever the client asks', async () => {
    const asked: number[] = [];
    const { client } = await setup({
      changes: (after, timeoutMs) => {
        asked.push(timeoutMs);
        return Promise.resolve({ generation: after });
      },
    });
    await client.waitForChange(0, 3_600_000);
    expect(asked).toEqual([30_000]);
  });

  it('lets go of the listener and timer of a client that disconnects', async () => {
    const { events, socket } = await setup();
    const req = request({ socketPath: socket, path: '/v1/changes?after=0&timeoutMs=30000' });
    req.on('error', () => undefined); // the hang-up we cause below
    req.end();
    await heldLongPolls(events, 1);
    req.destroy();
    await heldLongPolls(events, 0);
  }, 5_000);

  it('answers a held request when the controller stops', async () => {
    const { events, client } = await setup();
    const answer = client.waitForChange(0, 30_000);
    await heldLongPolls(events, 1);
    events.close();
    expect(await answer).toEqual({ generation: 0 });
  }, 5_000);

  it.each([
    ['/v1/changes?after=x&timeoutMs=10'],
    ['/v1/changes?after=-2&timeoutMs=10'],
    ['/v1/changes?after=0&timeoutMs=-1'],
  ])('refuses %s as a user error', async (path) => {
    const { socket } = await setup();
    const body = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ socketPath: socket, path }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body.status).toBe(400);
    expect(JSON.parse(body.text)).toMatchObject({
      error: {
        kind: 'user',
        type: 'BadRequestError',
        message: expect.stringMatching(
          /^invalid request for GET \/v1\/changes: (after|timeoutMs): must be/,
        ) as unknown,
      },
    });
  });

  it('reaches the client as a typed error', async () => {
    const { client } = await setup();
    await expect(client.waitForChange(-3, 10)).rejects.toThrow(ControllerRequestError);
  });
});
