// The dashboard's HTTP routes against a fake controller: nothing without a session, the login
// link's one exchange, the JSON a page reads, a stream that pushes model changes and hook runs,
// and no method but GET. (HTTPS and the real controller: test/integration/dashboard/.)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardHandler } from '../../../core/controller/dashboard-routes.js';
import { DashboardSessions } from '../../../core/controller/dashboard-sessions.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import type { HookLogEntry } from '../../../core/store/types.js';
import { fakeControllerApi } from '../../fakes/fake-controller-api.js';
import { MODEL } from './dashboard-model.js';

const events = new ModelEvents();
const sessions = new DashboardSessions();
const hooks: HookLogEntry[] = [];
let server: Server;
let base: string;
let session: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rune-dashboard-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(join(dir, 'app.js'), 'export {};');
  const api = fakeControllerApi(events, {
    status: () => Promise.resolve(MODEL),
    config: () => ({
      options: {
        'admin-password': { value: 'hunter2', source: 'user', type: 'string', description: '' },
      },
    }),
    hookLog: (after) => ({ entries: hooks.filter((h) => h.id > after) }),
  });
  const handler = dashboardHandler({ api, sessions, log: () => undefined, staticDir: dir });
  server = createServer((req, res) => {
    void handler(req, res).then((mine) => {
      if (!mine) res.writeHead(404).end('not the dashboard');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  events.close();
  server.closeAllConnections();
  server.close();
});

async function get(path: string, withSession = true) {
  const res = await fetch(base + path, {
    headers: withSession && session ? { cookie: `rune-dashboard=${session}` } : {},
    redirect: 'manual',
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe('the dashboard routes', () => {
  it('refuse every path without a session', async () => {
    for (const path of ['/dashboard/', '/dashboard/api/model', '/dashboard/static/app.js'])
      expect((await get(path, false)).status, path).toBe(401);
  });

  it('swap a login link for a session cookie, once', async () => {
    const { secret } = sessions.issueLogin();
    const first = await get(`/dashboard/login?secret=${secret}`, false);
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Secure/);
    session = /rune-dashboard=([^;]+)/.exec(cookie)?.[1] ?? '';
    expect((await get(`/dashboard/login?secret=${secret}`, false)).status).toBe(401);
  });

  it('serve the page and its JSON to the session', async () => {
    const page = await get('/dashboard/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const model = JSON.parse((await get('/dashboard/api/model')).body) as {
      applications: { name: string; units: number }[];
    };
    expect(model.applications.map((a) => [a.name, a.units])).toEqual([
      ['easyrsa', 1],
      ['etcd', 2],
      ['side', 1],
    ]);
    const app = await get('/dashboard/api/application?name=etcd');
    expect(app.body).toContain('"value":"********"');
    expect(app.body).not.toContain('hunter2');
    expect((await get('/dashboard/api/unit?name=etcd%2F1')).status).toBe(200);
    expect((await get('/dashboard/api/unit?name=etcd%2F9')).status).toBe(404);
    expect((await get('/dashboard/api/application?name=nope')).status).toBe(404);
    expect((await get('/dashboard/static/../index.html')).status).not.toBe(200);
  });

  it('answer anything but GET with 405', async () => {
    const res = await fetch(`${base}/dashboard/api/model`, {
      method: 'POST',
      headers: { cookie: `rune-dashboard=${session}` },
    });
    expect(res.status).toBe(405);
  });

  it('stream model changes and hook runs as server-sent events', async () => {
    let text = '';
    const req = request(`${base}/dashboard/api/events`, {
      headers: { cookie: `rune-dashboard=${session}` },
    });
    const type = new Promise<string>((done) =>
      req.on('response', (res) => {
        done(res.headers['content-type'] ?? '');
        res.on('data', (c: Buffer) => (text += c.toString()));
      }),
    );
    req.end();
    try {
      expect(await type).toBe('text/event-stream');
      await waitFor('the first model event', () => text.includes('event: model'), {
        timeoutMs: 5000,
      });
      events.bump();
      const generation = events.generation;
      await waitFor(
        'the bumped generation',
        () => text.includes(`data: {"generation":${generation}}`),
        { timeoutMs: 5000 },
      );
      hooks.push({
        id: 1,
        unit: 'etcd/0',
        hook: 'install',
        detail: {},
        startedAt: '2026-12-07T12:00:00Z',
        endedAt: '2026-12-07T12:00:01Z',
        outcome: 'error',
        message: 'hook failed: "install"',
        logs: [],
      });
      await waitFor('the failed hook', () => text.includes('"outcome":"error"'), {
        timeoutMs: 5000,
      });
    } finally {
      req.destroy();
    }
  });

  // Last: it closes the bus. A stopping controller must not be held up by an open page.
  it('end the stream when the controller stops', async () => {
    const ended = new Promise<void>((done) => {
      const req = request(`${base}/dashboard/api/events`, {
        headers: { cookie: `rune-dashboard=${session}` },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', done);
        events.close();
      });
      req.end();
    });
    await ended;
  });
});
