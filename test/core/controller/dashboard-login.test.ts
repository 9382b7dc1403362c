// `rune dashboard`'s request over TCP (a registered user's): a login link for a token, none
// without one, and the links rebased on the address the user reached the controller at.
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atAddress } from '../../../core/cli/commands/dashboard.js';
import { ApiClient } from '../../../core/controller/api-client.js';
import { listenTcp } from '../../../core/controller/api-tcp.js';
import { type ApiTls, ensureApiTls } from '../../../core/controller/api-tls.js';
import { dashboardLoginRoute } from '../../../core/controller/dashboard-login.js';
import { DashboardSessions } from '../../../core/controller/dashboard-sessions.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import { UserAccess } from '../../../core/controller/user-access.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { fakeControllerApi } from '../../fakes/fake-controller-api.js';

let tls: ApiTls;
let store: SqliteStore;
let server: Server;
let address: string;
let token: string;
const sessions = new DashboardSessions();

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rune-dash-login-'));
  tls = await ensureApiTls(dir, []);
  store = new SqliteStore(join(dir, 'store.db'));
  const access = new UserAccess(store, 'test');
  const listening = await listenTcp(fakeControllerApi(new ModelEvents()), {
    host: '127.0.0.1',
    port: 0,
    tls,
    access,
    log: () => undefined,
    dashboardLogin: dashboardLoginRoute(
      sessions,
      () => address,
      () => undefined,
    ),
  });
  server = listening.server;
  address = `127.0.0.1:${listening.port}`;
  const client = new ApiClient('test', '', { addresses: [address], ca: tls.ca });
  token = (await client.register(access.addUser('bob').secret)).token;
}, 60_000);

afterAll(() => {
  server.closeAllConnections();
  server.close();
  store.close();
});

const client = (t?: string) =>
  new ApiClient('test', '', {
    addresses: [address],
    ca: tls.ca,
    ...(t === undefined ? {} : { token: t }),
  });

describe('a dashboard login link over TCP', () => {
  it('is given to a user with a token, and works once', async () => {
    const answer = await client(token).dashboardLogin();
    expect(answer.url).toBe(`https://${address}/dashboard/`);
    const secret = new URL(answer.login).searchParams.get('secret') ?? '';
    expect(sessions.login(secret)).toBeDefined();
    expect(sessions.login(secret)).toBeUndefined();
  });

  it('is refused without a token', async () => {
    await expect(client().dashboardLogin()).rejects.toThrow(/only with a token/);
  });

  it('names the address the user registered, not the one the controller sees', () => {
    const moved = atAddress(
      {
        url: 'https://127.0.0.1:4000/dashboard/',
        login: 'https://127.0.0.1:4000/dashboard/login?secret=abc',
        expiresAt: '2026-12-07T12:00:00Z',
      },
      'ctl.example:4000',
    );
    expect(moved).toEqual({
      url: 'https://ctl.example:4000/dashboard/',
      login: 'https://ctl.example:4000/dashboard/login?secret=abc',
      expiresAt: '2026-12-07T12:00:00Z',
    });
  });
});
