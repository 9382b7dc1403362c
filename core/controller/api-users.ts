// The API's user routes (issue 16 item 5). Over the unix socket: POST /v1/users (add-user), for
// whoever may open the socket (mode 0600: the controller's own operator). Over TCP, api-tcp.ts
// serves register and logout itself. Bodies are checked here: these routes are not the model's.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddUserResponse } from './api.js';
import { readJson, send, type ExtraRoutes } from './api-server.js';
import { BadRequestError } from './request-check.js';
import { encodeRegistration, type Registration } from './registration.js';
import type { UserAccess } from './user-access.js';

/** What a registration string says about the controller, read when add-user asks (members
 * record their ports as they start). */
export type RegistrationFacts = () => Pick<
  Registration,
  'controller' | 'id' | 'provider' | 'addresses' | 'caFingerprint'
>;

/** A registration string works for a minute at least and a year at most. */
const MIN_TTL_MS = 1;
const MAX_TTL_MS = 366 * 24 * 60 * 60 * 1000;

export function userRoutes(
  access: UserAccess,
  facts: RegistrationFacts,
  log: (line: string) => void,
): ExtraRoutes {
  return async (key: string, req: IncomingMessage, res: ServerResponse) => {
    if (key !== 'POST /v1/users') return false;
    const body = (await readJson(req)) as { user?: unknown; ttlMs?: unknown };
    if (typeof body.user !== 'string') throw new BadRequestError('user: must be a string');
    const ttl = body.ttlMs;
    if (
      ttl !== undefined &&
      (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < MIN_TTL_MS || ttl > MAX_TTL_MS)
    )
      throw new BadRequestError('ttlMs: must be a whole number of milliseconds up to a year');
    const added = access.addUser(body.user, ttl);
    const registration = encodeRegistration({
      ...facts(),
      user: added.user,
      secret: added.secret,
      expiresAt: added.expiresAt,
    });
    log(
      `${added.created ? 'added user' : 'new registration string for user'} "${added.user}" ` +
        `(expires ${added.expiresAt})`,
    );
    const answer: AddUserResponse = {
      user: added.user,
      created: added.created,
      registration,
      expiresAt: added.expiresAt,
    };
    send(res, 200, answer);
    return true;
  };
}
