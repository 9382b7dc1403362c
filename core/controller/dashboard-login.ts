// `POST /v1/dashboard` (rune dashboard): the dashboard's URL and a one-time login link. On the
// unix socket for the controller's operator, and over TCP for a user with a token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DashboardLoginResponse } from './api.js';
import { send, type ExtraRoutes } from './api-server.js';
import { DASHBOARD_PATH } from './dashboard-routes.js';
import type { DashboardSessions } from './dashboard-sessions.js';

/** `address`: this process's `host:port` over TCP, once it listens (undefined before). */
export function dashboardLoginRoute(
  sessions: DashboardSessions,
  address: () => string | undefined,
  log: (line: string) => void,
): ExtraRoutes {
  return (key: string, _req: IncomingMessage, res: ServerResponse) => {
    if (key !== 'POST /v1/dashboard') return Promise.resolve(false);
    const at = address();
    if (at === undefined) {
      send(res, 503, {
        error: { kind: 'user', type: 'NotListening', message: 'the API over TCP is not up yet' },
      });
      return Promise.resolve(true);
    }
    const { secret, expiresAt } = sessions.issueLogin();
    const url = `https://${at}${DASHBOARD_PATH}`;
    const answer: DashboardLoginResponse = {
      url,
      login: `${url}login?secret=${secret}`,
      expiresAt,
    };
    log(`issued a dashboard login link (expires ${expiresAt})`);
    send(res, 200, answer);
    return Promise.resolve(true);
  };
}

/** Routes tried in turn. */
export function eitherRoute(...routes: ExtraRoutes[]): ExtraRoutes {
  return async (key, req, res) => {
    for (const r of routes) if (await r(key, req, res)) return true;
    return false;
  };
}
