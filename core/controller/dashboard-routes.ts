// The web dashboard's HTTP side (issue 17 items 4 and 6), on the API's HTTPS port under
// /dashboard/: the login link's exchange for a session cookie, the built page (dist/core/
// dashboard/static), its JSON and its event stream. Read-only: every route here is a GET that
// reads; nothing under /dashboard/ changes the model.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { packageRoot } from '../charm/package-root.js';
import type { ControllerApi } from './api-server.js';
import { streamEvents } from './dashboard-events.js';
import { type DashboardSessions, sessionSetCookie } from './dashboard-sessions.js';
import { applicationView, graphView, unitView } from './dashboard-views.js';

export const DASHBOARD_PATH = '/dashboard/';

/** Where `npm run build` puts the page (core/dashboard/bundle-dashboard.ts). */
export function dashboardStaticDir(): string {
  return join(packageRoot(), 'dist', 'core', 'dashboard', 'static');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** The page loads only its own files: no CDN, no inline script, never framed. Cytoscape and
 * Preact set element styles from script, which CSP's style-src counts as inline. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type });
  res.end(body);
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  reply(res, status, 'application/json', JSON.stringify(body));

function page(res: ServerResponse, status: number, title: string, text: string) {
  const html =
    `<!doctype html><meta charset="utf-8"><title>${title}</title>` +
    `<link rel="stylesheet" href="/dashboard/static/style.css"><main class="notice"><h1>${title}</h1><p>${text}</p></main>`;
  reply(res, status, 'text/html; charset=utf-8', html);
}

export interface DashboardOptions {
  api: ControllerApi;
  sessions: DashboardSessions;
  log: (line: string) => void;
  /** Default: dashboardStaticDir(). */
  staticDir?: string;
}

/** Answers a request under /dashboard (true), or leaves it to the API's routes (false). */
export function dashboardHandler(options: DashboardOptions) {
  const { api, sessions, log } = options;
  const dir = options.staticDir ?? dashboardStaticDir();
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'https://rune');
    const path = url.pathname;
    if (path !== '/dashboard' && !path.startsWith(DASHBOARD_PATH)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: 'the dashboard is read-only: use the rune CLI to change the model' });
      return true;
    }
    if (path === '/dashboard/login') {
      const session = sessions.login(url.searchParams.get('secret') ?? '');
      if (session === undefined) {
        log(`refused a dashboard login link from ${req.socket.remoteAddress ?? '?'}`);
        page(
          res,
          401,
          'Login link not accepted',
          'It was used already or has expired: run <code>rune dashboard</code> for a new one.',
        );
        return true;
      }
      // A page of our own rather than a redirect: the cookie is SameSite=Strict, and a redirect
      // followed from another site's link would arrive without it.
      res.setHeader('set-cookie', sessionSetCookie(session));
      reply(
        res,
        200,
        'text/html; charset=utf-8',
        '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/dashboard/"><title>Rune</title><a href="/dashboard/">Open the dashboard</a>',
      );
      return true;
    }
    if (!sessions.admits(req.headers.cookie)) {
      if (path.startsWith('/dashboard/api/'))
        json(res, 401, { error: 'no dashboard session: run rune dashboard for a login link' });
      else
        page(
          res,
          401,
          'Not logged in',
          'Run <code>rune dashboard</code> and open the login link it prints.',
        );
      return true;
    }
    await serve(api, dir, path, url.searchParams, res);
    return true;
  };
}

async function serve(
  api: ControllerApi,
  dir: string,
  path: string,
  query: URLSearchParams,
  res: ServerResponse,
): Promise<void> {
  const name = query.get('name') ?? '';
  switch (path) {
    case '/dashboard':
    case '/dashboard/':
      return file(res, dir, 'index.html');
    case '/dashboard/api/model': {
      const { generation } = await api.changes(-1, 0, new AbortController().signal);
      return json(res, 200, graphView(await api.status(false), generation));
    }
    case '/dashboard/api/application': {
      const status = await api.status(false);
      if (!status.applications?.[name])
        return json(res, 404, { error: `no application "${name}"` });
      const view = applicationView(
        status,
        name,
        api.config(name).options,
        api.statusLog({ entity: name, limit: 50 }),
      );
      return json(res, 200, view);
    }
    case '/dashboard/api/unit': {
      const status = await api.status(false);
      // Known first: the status log refuses a name that is not a unit.
      if (!unitView(status, name, { entity: name, kind: 'unit', entries: [] }))
        return json(res, 404, { error: `no unit "${name}"` });
      return json(res, 200, unitView(status, name, api.statusLog({ entity: name, limit: 50 })));
    }
    case '/dashboard/api/events':
      return streamEvents(api, res);
  }
  const asset = /^\/dashboard\/static\/([A-Za-z0-9_-][A-Za-z0-9_.-]*)$/.exec(path)?.[1];
  if (asset !== undefined) return file(res, dir, asset);
  json(res, 404, { error: `nothing at ${path}` });
}

async function file(res: ServerResponse, dir: string, name: string): Promise<void> {
  let body: Buffer;
  try {
    body = await readFile(join(dir, name));
  } catch {
    return name === 'index.html'
      ? page(
          res,
          500,
          'Dashboard not built',
          `No ${join(dir, name)}: run <code>npm run build</code>.`,
        )
      : json(res, 404, { error: `no file ${name}` });
  }
  reply(res, 200, TYPES[extname(name)] ?? 'application/octet-stream', body);
}
