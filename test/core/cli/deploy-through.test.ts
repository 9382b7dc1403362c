// `deploy --wait` through a controller lost during the deploy request (issue 15 item 8), against
// FAKE controllers on one real socket (test/fakes/fake-controller-api.ts): the first goes away
// mid-request, the "restarted" one resumes the deploy; the CLI sends it again only once that
// resume is done, and says what happened.
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Io } from '../../../core/cli/io.js';
import { deployThrough } from '../../../core/cli/deploy-through.js';
import { listen } from '../../../core/controller/api-server.js';
import type { DeployResponse } from '../../../core/controller/api.js';
import { ControllerRequestError } from '../../../core/controller/errors.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import { fakeControllerApi, type Served, serveApi } from '../../fakes/fake-controller-api.js';

let first: Served | undefined;
let second: Server | undefined;
afterEach(() => {
  first?.close();
  second?.close();
  second?.closeAllConnections();
});

function capture() {
  const err: string[] = [];
  const io: Io = {
    out: () => undefined,
    err: (line) => err.push(line),
    outRaw: () => undefined,
    errRaw: () => undefined,
  };
  return { io, err };
}

/** A controller killed while it applies a deploy: the request's connection is cut. */
async function dyingController(): Promise<Served> {
  first = await serveApi(
    fakeControllerApi(new ModelEvents(), {
      deploy: () => {
        first?.close();
        return new Promise(() => undefined);
      },
    }),
  );
  return first;
}

describe('deployThrough', () => {
  it('waits for the restarted controller to finish the deploy it resumed, then sends it again', async () => {
    const { client, socket } = await dyingController();
    const { io, err } = capture();
    const events: string[] = [];
    let resuming = 3;
    const reconnect = async () => {
      events.push('reconnect');
      second = await listen(
        fakeControllerApi(new ModelEvents(), {
          pending: () => {
            resuming -= 1;
            events.push(`pending: deploying=${resuming > 0}`);
            return { units: [], deploying: resuming > 0 };
          },
          deploy: () => {
            events.push('deploy sent again');
            return Promise.resolve({ changes: [], warnings: [] });
          },
        }),
        socket,
      );
    };
    const result = await deployThrough(
      client,
      io,
      () => client.deploy({ bundle: '/b.yaml', overlays: [] }),
      { timeoutMs: 10_000, reconnect },
    );
    expect(result).toEqual({ answer: { changes: [], warnings: [] }, resent: true });
    expect(events).toEqual([
      'reconnect',
      'pending: deploying=true',
      'pending: deploying=true',
      'pending: deploying=false',
      'deploy sent again',
    ]);
    expect(err).toEqual([
      'Lost controller "test" during the deploy (socket hang up): waiting for it to come back and finish it.',
    ]);
  });

  it('says once why the controller cannot be reached yet, and goes on waiting', async () => {
    const { client, socket } = await dyingController();
    const { io, err } = capture();
    let attempts = 0;
    const reconnect = async () => {
      attempts += 1;
      if (attempts <= 2) throw new Error('controller "test" (pid 9) is stopped');
      second = await listen(fakeControllerApi(new ModelEvents()), socket);
    };
    const result = await deployThrough(
      client,
      io,
      () => client.deploy({ bundle: '/b.yaml', overlays: [] }),
      { timeoutMs: 10_000, reconnect },
    );
    expect(result.resent).toBe(true);
    expect(err.slice(1)).toEqual(['rune: controller "test" (pid 9) is stopped\n(still waiting)']);
  });

  it('sends once when nothing goes wrong', async () => {
    const { io, err } = capture();
    first = await serveApi(
      fakeControllerApi(new ModelEvents(), {
        deploy: () => Promise.resolve({ changes: ['deploy application etcd'], warnings: [] }),
      }),
    );
    const { client } = first;
    const result = await deployThrough(
      client,
      io,
      () => client.deploy({ bundle: '/b.yaml', overlays: [] }),
      {
        timeoutMs: 10_000,
        reconnect: () => Promise.reject(new Error('not called')),
      },
    );
    expect(result).toEqual({
      answer: { changes: ['deploy application etcd'], warnings: [] },
      resent: false,
    });
    expect(err).toEqual([]);
  });

  it("passes the controller's refusal on: only a lost controller is waited for", async () => {
    const { io } = capture();
    first = await serveApi(
      fakeControllerApi(new ModelEvents(), {
        deploy: (): Promise<DeployResponse> =>
          Promise.reject(new ControllerRequestError('user', 'BundleInvalidError', 'bad bundle')),
      }),
    );
    const { client } = first;
    const refused = await deployThrough(
      client,
      io,
      () => client.deploy({ bundle: '/b.yaml', overlays: [] }),
      {
        timeoutMs: 10_000,
        reconnect: () => Promise.reject(new Error('not called')),
      },
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ControllerRequestError);
    expect((refused as Error).message).toBe('bad bundle');
  });
});
