// The API over TCP for remote operators (issue 16 item 5): HTTPS with the controller's own CA,
// the same routes as the unix socket behind a bearer token, plus register (a one-time secret
// for a token) and logout. Refusals are logged with the peer's address, never the secret.
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { AccessDeniedError, LocalOnlyError, NoTokenError } from './access-errors.js';
import type { RegisterResponse } from './api.js';
import {
  type ControllerApi,
  errorBody,
  type ExtraRoutes,
  type MemberRole,
  readJson,
  requestHandler,
  send,
} from './api-server.js';
import type { ApiTls } from './api-tls.js';
import { NotActiveMemberError } from './errors.js';
import { BadRequestError } from './request-check.js';
import type { UserAccess } from './user-access.js';

export interface TcpListenOptions {
  host: string;
  /** 0: any free port (what a first start takes). */
  port: number;
  tls: ApiTls;
  access: UserAccess;
  log: (line: string) => void;
  role?: MemberRole;
  /** The web dashboard's routes (dashboard-routes.ts): true when the request was one of them. */
  dashboard?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** `POST /v1/dashboard` for a user with a token (dashboard-login.ts). */
  dashboardLogin?: ExtraRoutes;
}

/** The request's token; '' (accepted by no one) for a header that does not hold one. */
function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  return /^Bearer ([A-Za-z0-9_-]+)$/.exec(header)?.[1] ?? '';
}

export function tcpHandler(
  api: ControllerApi,
  options: Omit<TcpListenOptions, 'host' | 'port' | 'tls'>,
) {
  const { access, log, role, dashboard, dashboardLogin } = options;
  const routes = requestHandler(api, log, role);
  const standingBy = () => {
    const member = role?.();
    if (member && !member.active) throw new NotActiveMemberError(member.id);
  };
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'https://rune').pathname;
    const key = `${req.method ?? 'GET'} ${path}`;
    if (key === 'POST /v1/register') {
      standingBy();
      const body = (await readJson(req)) as { secret?: unknown };
      if (typeof body.secret !== 'string') throw new BadRequestError('secret: must be a string');
      const answer: RegisterResponse = access.register(body.secret);
      log(`user "${answer.user}" registered from ${peer(req)}`);
      return send(res, 200, answer);
    }
    // The dashboard checks its own session cookie: a browser holds no bearer token.
    if (dashboard && (await dashboard(req, res))) return;
    const token = bearer(req);
    if (token === undefined) throw new NoTokenError(access.controller);
    const user = access.authenticate(token);
    if (key === 'POST /v1/logout') {
      standingBy();
      access.logout(token);
      log(`user "${user}" logged out from ${peer(req)}`);
      return send(res, 200, {});
    }
    if (key === 'POST /v1/users') throw new LocalOnlyError(access.controller, 'add-user');
    if (dashboardLogin && (await dashboardLogin(key, req, res))) {
      log(`user "${user}" asked for a dashboard login link from ${peer(req)}`);
      return;
    }
    routes(req, res);
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    serve(req, res).catch((e: unknown) => {
      if (e instanceof AccessDeniedError)
        log(`refused ${req.method ?? 'GET'} ${req.url ?? '/'} from ${peer(req)}: ${e.message}`);
      const body = errorBody(e, log);
      if (res.headersSent) res.end();
      else {
        const status = e instanceof AccessDeniedError ? 401 : body.kind === 'user' ? 400 : 500;
        send(res, status, { error: body });
      }
    });
  };
}

function peer(req: IncomingMessage): string {
  const { remoteAddress, remotePort } = req.socket;
  return `${remoteAddress ?? '?'}:${remotePort ?? '?'}`;
}

/** Serves HTTPS on host:port; resolves once listening, with the port it got. */
export async function listenTcp(
  api: ControllerApi,
  options: TcpListenOptions,
): Promise<{ server: Server; port: number }> {
  const server = createServer(
    { cert: options.tls.cert, key: options.tls.key },
    tcpHandler(api, options),
  );
  // A TLS handshake that fails (a client pinned to another CA, a port scanner) is the client's
  // to report; the controller notes it without the bytes.
  server.on('tlsClientError', (e, socket) => {
    options.log(
      `TLS handshake with ${socket.remoteAddress ?? '?'} failed: ${e.message.split('\n')[0] ?? ''}`,
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
