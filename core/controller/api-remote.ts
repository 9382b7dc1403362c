// The controller process's side of the API over TCP (issue 16 item 5): its TLS material, its
// users, the port it listens on (recorded in controller.json, one per member), and the routes
// the unix socket adds for add-user. run.ts calls it; the HTTPS serving is api-tcp.ts.
import type { Server } from 'node:https';
import type { Store } from '../store/types.js';
import type { ControllerApi, ExtraRoutes, MemberRole } from './api-server.js';
import { listenTcp } from './api-tcp.js';
import { ensureApiTls } from './api-tls.js';
import { userRoutes } from './api-users.js';
import { dashboardLoginRoute, eitherRoute } from './dashboard-login.js';
import { dashboardHandler } from './dashboard-routes.js';
import { DashboardSessions } from './dashboard-sessions.js';
import { controllerPaths } from './paths.js';
import { type ControllerInfo, readController, writeController } from './registry.js';
import { UserAccess } from './user-access.js';

/** Loopback unless controller.json's api.host says otherwise: a remote operator's controller
 * is opened to the network on purpose, not by default. */
export const DEFAULT_API_HOST = '127.0.0.1';

export interface RemoteApi {
  /** add-user's and the dashboard login's routes, for the unix socket. */
  routes: ExtraRoutes;
  /** Starts HTTPS for `member` (0 on a controller without members). */
  listen(api: ControllerApi, member: number, role?: MemberRole): Promise<Server>;
}

/** Each member's `host:port`, in member order, as recorded so far. */
export function apiAddresses(info: ControllerInfo): string[] {
  const shown = (member: number) => {
    const host = memberApiHost(info, member);
    const one = host === '0.0.0.0' || host === '::' ? DEFAULT_API_HOST : host;
    return one.includes(':') ? `[${one}]` : one;
  };
  return (info.api?.ports ?? []).flatMap((p, n) => (p > 0 ? [`${shown(n)}:${p}`] : []));
}

/** The address member `n` serves the API on: its own host's when enable-ha --to placed it. */
export function memberApiHost(info: ControllerInfo, member: number): string {
  return info.api?.hosts?.[member] || (info.api?.host ?? DEFAULT_API_HOST);
}

export async function prepareRemoteApi(
  home: string,
  name: string,
  store: Store,
  log: (line: string) => void,
): Promise<RemoteApi> {
  const dir = controllerPaths(home, name).dir;
  const tls = await ensureApiTls(dir, []);
  const access = new UserAccess(store, name);
  const facts = () => {
    const info = readController(home, name);
    return {
      controller: name,
      id: info.id,
      provider: info.provider,
      addresses: apiAddresses(info),
      caFingerprint: tls.caFingerprint,
    };
  };
  // The dashboard's sessions are this process's: its login links name its own port.
  const sessions = new DashboardSessions();
  let address: string | undefined;
  return {
    routes: eitherRoute(
      userRoutes(access, facts, log),
      dashboardLoginRoute(sessions, () => address, log),
    ),
    async listen(api, member, role) {
      const info = readController(home, name);
      const host = memberApiHost(info, member);
      const wanted = info.api?.ports[member] ?? 0;
      const options = {
        host,
        tls,
        access,
        log,
        dashboard: dashboardHandler({ api, sessions, log }),
        dashboardLogin: dashboardLoginRoute(sessions, () => address, log),
        ...(role === undefined ? {} : { role }),
      };
      let listening: { server: Server; port: number };
      try {
        listening = await listenTcp(api, { ...options, port: wanted });
      } catch (e) {
        if (wanted === 0 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        // Another process took the port since: a new one, recorded, beats no API at all;
        // registered clients need a new string (the log says so).
        listening = await listenTcp(api, { ...options, port: 0 });
        log(
          `API port ${wanted} is taken by another process: listening on ${listening.port} ` +
            'instead; clients registered with the old port need rune add-user again',
        );
      }
      if (listening.port !== wanted) recordPort(home, name, member, host, listening.port);
      address = apiAddresses({ ...info, api: { host, ports: [listening.port] } })[0];
      log(`API over TCP (HTTPS, CA ${tls.caFingerprint}) on ${host}:${listening.port}`);
      return listening.server;
    },
  };
}

/** Read just before the write: members starting together each record their own port. */
function recordPort(home: string, name: string, member: number, host: string, port: number) {
  const info = readController(home, name);
  const ports = [...(info.api?.ports ?? [])];
  while (ports.length <= member) ports.push(0);
  ports[member] = port;
  writeController(home, { ...info, api: { ...info.api, host: info.api?.host ?? host, ports } });
}
