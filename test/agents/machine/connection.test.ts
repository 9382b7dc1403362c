// Reconnect pacing with a fake clock and a fake ssh2 client. The fake client models only
// connect outcomes (ready, socket error, auth refusal); it carries no channels.
import { EventEmitter } from 'node:events';
import type { Client } from 'ssh2';
import { describe, expect, test } from 'vitest';
import { type Clock, backoffDelay } from '../../../agents/machine/backoff.js';
import { Connection } from '../../../agents/machine/connection.js';
import { AuthError, ConnectError } from '../../../agents/machine/errors.js';

describe('backoffDelay', () => {
  test('doubles from 100 ms and stays at 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => backoffDelay(n))).toEqual([
      0, 100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000,
    ]);
  });
});

type Outcome = 'ready' | 'refused' | 'auth';

class FakeClient extends EventEmitter {
  noDelay = false;
  constructor(private readonly outcome: Outcome) {
    super();
  }
  setNoDelay(noDelay: boolean): void {
    this.noDelay = noDelay;
  }
  connect(): void {
    queueMicrotask(() => {
      if (this.outcome === 'ready') this.emit('ready');
      else if (this.outcome === 'auth') {
        this.emit(
          'error',
          Object.assign(new Error('All configured authentication methods failed'), {
            level: 'client-authentication',
          }),
        );
      } else
        this.emit(
          'error',
          Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        );
    });
  }
  end(): void {
    queueMicrotask(() => this.emit('close'));
  }
}

function fakeClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

function connection(outcomes: Outcome[], clock: Clock) {
  let made = 0;
  const conn = new Connection(
    { host: '10.0.0.5', port: 22, user: 'root', privateKey: 'unused' },
    {},
    {
      clock,
      createClient: () => new FakeClient(outcomes[made++] ?? 'ready') as unknown as Client,
    },
  );
  return { conn, made: () => made };
}

describe('Connection', () => {
  test('after refusals, each new use waits out the capped doubling backoff first', async () => {
    const clock = fakeClock();
    const { conn } = connection(Array<Outcome>(9).fill('refused'), clock);
    for (let i = 0; i < 9; i++) {
      await expect(conn.client()).rejects.toThrow('cannot reach 10.0.0.5:22: connection refused');
    }
    expect(clock.sleeps).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    await expect(conn.client()).resolves.toBeDefined();
    expect(clock.sleeps.at(-1)).toBe(5000);
  });

  test("turns Nagle's algorithm off: ssh2 writes each packet on its own", async () => {
    const clients: FakeClient[] = [];
    const conn = new Connection(
      { host: '10.0.0.5', port: 22, user: 'root', privateKey: 'unused' },
      {},
      {
        clock: fakeClock(),
        createClient: () => {
          const client = new FakeClient('ready');
          clients.push(client);
          return client as unknown as Client;
        },
      },
    );
    await conn.client();
    expect(clients.map((c) => c.noDelay)).toEqual([true]);
  });

  test('a success resets the backoff', async () => {
    const clock = fakeClock();
    const { conn } = connection(['refused', 'ready'], clock);
    await expect(conn.client()).rejects.toBeInstanceOf(ConnectError);
    await conn.client();
    expect(clock.sleeps).toEqual([100]);
  });

  test('an auth refusal is terminal: later uses rethrow without dialling again', async () => {
    const clock = fakeClock();
    const { conn, made } = connection(['auth', 'ready'], clock);
    await expect(conn.client()).rejects.toBeInstanceOf(AuthError);
    await expect(conn.client()).rejects.toBeInstanceOf(AuthError);
    expect(made()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });
});
