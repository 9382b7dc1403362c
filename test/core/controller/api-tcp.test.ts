// The API over TCP with real TLS on loopback: the same routes behind a token, register and logout,
// and each refusal a user can meet — no token, a wrong one, add-user from afar, a server signed
// by another CA, a plain HTTP server, another protocol, a closed port — told apart by the CLI's
// client before it sends anything, and logged by the controller without the secret.
import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest, type Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../core/controller/api-client.js';
import { listenTcp } from '../../../core/controller/api-tcp.js';
import { type ApiTls, ensureApiTls } from '../../../core/controller/api-tls.js';
import { ControllerRequestError } from '../../../core/controller/errors.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import {
  CaMismatchError,
  ControllerFilesError,
  NotRuneControllerError,
} from '../../../core/controller/access-errors.js';
import { presentedCertificates } from '../../../core/controller/tls-transport.js';
import { UserAccess } from '../../../core/controller/user-access.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { fakeControllerApi } from '../../fakes/fake-controller-api.js';

const logs: string[] = [];
const log = (line: string) => logs.push(line);
let tls: ApiTls;
let store: SqliteStore;
let access: UserAccess;
let server: Server;
let address: string;
let token: string;
let secret: string;
const closers: (() => void)[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rune-api-tcp-'));
  tls = await ensureApiTls(dir, []);
  store = new SqliteStore(join(dir, 'store.db'));
  access = new UserAccess(store, 'test');
  const api = fakeControllerApi(new ModelEvents(), {
    metrics: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4', text: METRICS }),
  });
  const listening = await listenTcp(api, { host: '127.0.0.1', port: 0, tls, access, log });
  server = listening.server;
  address = `127.0.0.1:${listening.port}`;
  secret = access.addUser('bob').secret;
}, 60_000);

afterAll(() => {
  server.close();
  server.closeAllConnections();
  closers.forEach((c) => c());
  store.close();
});

const METRICS = '# TYPE rune_units gauge\nrune_units 0\n';

/** A GET as Prometheus makes it: the pinned CA, and the token as a bearer if given. */
function scrape(path: string, t?: string): Promise<{ status: number; type: string; body: string }> {
  const [host = '', port = ''] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host,
        port: Number(port),
        path,
        ca: tls.ca,
        checkServerIdentity: () => undefined,
        headers: t === undefined ? {} : { authorization: `Bearer ${t}` },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const client = (t?: string, at = address, ca = tls.ca) =>
  new ApiClient('test', '', { addresses: [at], ca, ...(t === undefined ? {} : { token: t }) });

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

/** A server of another kind on a free loopback port; `requests` counts what reached it. */
async function listening(s: HttpServer | NetServer | Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  closers.push(() => s.close());
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe('the API over TCP', () => {
  it('swaps the one-time secret for a token, then answers the same routes as the socket', async () => {
    const answer = await client().register(secret);
    expect(answer.user).toBe('bob');
    token = answer.token;
    expect(await client(token).ping()).toMatchObject({ name: 'test' });
    expect((await client(token).status()).model.controller).toBe('test');
  });

  it('refuses a request without a token, and one with a token it does not know', async () => {
    const none = await failure(client().status());
    expect(none).toBeInstanceOf(ControllerRequestError);
    expect((none as Error).message).toMatch(/takes requests over TCP only with a token/);
    const garbled = await failure(client('not a token').status());
    expect((garbled as Error).message).toMatch(/^token not accepted by controller "test"/);
    const wrong = await failure(client('not-a-token').status());
    expect((wrong as Error).message).toBe(
      'token not accepted by controller "test"; rune register again or ask its admin',
    );
  });

  it('takes add-user only over the local socket', async () => {
    const e = await failure(client(token).addUser('eve'));
    expect((e as Error).message).toMatch(/add-user runs on controller "test"'s own host/);
    expect(store.users()).toEqual(['bob']);
  });

  it('refuses, before sending anything, a verb that hands over paths on this host', async () => {
    const e = await failure(client(token).deploy({ bundle: '/tmp/b.yaml', overlays: [] }));
    expect(e).toBeInstanceOf(ControllerFilesError);
  });

  it('presents its CA beside its certificate, for register to pin', async () => {
    const presented = await presentedCertificates('test', address);
    expect(presented.map((c) => c.fingerprint)).toContain(tls.caFingerprint);
  });

  it('refuses a server whose certificate another CA signed, sending it nothing', async () => {
    const other = await ensureApiTls(mkdtempSync(join(tmpdir(), 'rune-mitm-')), []);
    let requests = 0;
    const { createServer } = await import('node:https');
    const mitm = createServer({ cert: other.cert, key: other.key }, (_req, res) => {
      requests++;
      res.end('{}');
    });
    const at = await listening(mitm);
    const e = await failure(client(token, at).status());
    expect(e).toBeInstanceOf(CaMismatchError);
    expect((e as Error).message).toBe(
      `controller "test" at ${at}: its certificate is not signed by the CA pinned at register: ` +
        'someone may be in the middle, or the controller was rebuilt; nothing was sent',
    );
    expect(requests).toBe(0);
  }, 30_000);

  it('says a plain HTTP server is not a Rune controller, and sends it no request', async () => {
    let requests = 0;
    const at = await listening(
      createHttpServer((_req, res) => {
        requests++;
        res.end('hello');
      }),
    );
    const e = await failure(client(token, at).status());
    expect(e).toBeInstanceOf(NotRuneControllerError);
    expect((e as Error).message).toMatch(
      new RegExp(`what is at ${at} is not a Rune controller \\(it does not speak TLS\\)`),
    );
    expect(requests).toBe(0);
  });

  it('says another protocol, and a closed port, are not a Rune controller', async () => {
    const ssh = await listening(createNetServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n')));
    const e = await failure(client(token, ssh).status());
    expect(e).toBeInstanceOf(NotRuneControllerError);
    expect((e as Error).message).toMatch(
      /is not a Rune controller \((it does not speak TLS|it closed)/,
    );
    const closed = createNetServer();
    const at = await listening(closed);
    await new Promise((resolve) => closed.close(resolve));
    const refused = await failure(client(token, at).status());
    expect((refused as Error).message).toMatch(
      new RegExp(`${at} is not a Rune controller \\(nothing listens there: connection refused`),
    );
  });

  it('serves /metrics and /v1/metrics behind the token, as Prometheus text', async () => {
    for (const path of ['/metrics', '/v1/metrics']) {
      expect(await scrape(path, token)).toEqual({
        status: 200,
        type: 'text/plain; version=0.0.4',
        body: METRICS,
      });
      const refused = await scrape(path);
      expect(refused.status).toBe(401);
      expect(refused.body).not.toContain('rune_units');
    }
  });

  it('revokes the token on logout', async () => {
    await client(token).logout();
    const e = await failure(client(token).status());
    expect((e as Error).message).toMatch(/token not accepted/);
  });

  it('logs refusals and registrations without the secret or the token', () => {
    const text = logs.join('\n');
    expect(text).toMatch(/user "bob" registered from 127\.0\.0\.1/);
    expect(text).toMatch(/refused GET \/v1\/status from 127\.0\.0\.1:\d+: token not accepted/);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(token);
  });
});
