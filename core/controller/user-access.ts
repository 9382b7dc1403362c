// Who may use the controller's API over TCP (issue 16 item 5): add-user issues a one-time
// registration secret, register swaps it for a session token, each request's token is checked,
// logout revokes it. The store keeps sha256 hashes only; secrets leave here once, to the caller.
import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../store/types.js';
import {
  RegistrationExpiredError,
  RegistrationNotAcceptedError,
  TokenExpiredError,
  TokenNotAcceptedError,
  UserNameError,
} from './access-errors.js';

/** How long a registration string works unless add-user says otherwise (Juju's: a day). */
export const REGISTRATION_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a session token from register works; then register again. */
export const SESSION_TTL_MS = 90 * 24 * 60 * 60 * 1000;

const USER = /^[a-z][a-z0-9.-]{0,39}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** 32 random bytes: not guessable, and nothing a log pattern could mistake for a word. */
function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export class UserAccess {
  constructor(
    private readonly store: Store,
    readonly controller: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Adds the user (or keeps the one there) and issues a registration secret for it. */
  addUser(
    name: string,
    ttlMs = REGISTRATION_TTL_MS,
  ): { user: string; created: boolean; secret: string; expiresAt: string } {
    if (!USER.test(name)) throw new UserNameError(name);
    const at = this.now();
    const secret = newSecret();
    const expiresAt = new Date(at.getTime() + ttlMs).toISOString();
    const created = this.store.transaction(() => {
      const added = this.store.addUser(name, at.toISOString());
      this.store.addToken({
        hash: hashToken(secret),
        user: name,
        kind: 'registration',
        expiresAt,
        createdAt: at.toISOString(),
      });
      return added;
    });
    return { user: name, created, secret, expiresAt };
  }

  /** Swaps a registration secret for a session token; the secret works once. */
  register(secret: string): { user: string; token: string; expiresAt: string } {
    const hash = hashToken(secret);
    const at = this.now();
    return this.store.transaction(() => {
      const found = this.store.token(hash);
      if (found?.kind !== 'registration') throw new RegistrationNotAcceptedError(this.controller);
      if (Date.parse(found.expiresAt) <= at.getTime())
        throw new RegistrationExpiredError(this.controller, found.expiresAt);
      this.store.removeToken(hash);
      const token = newSecret();
      const expiresAt = new Date(at.getTime() + SESSION_TTL_MS).toISOString();
      this.store.addToken({
        hash: hashToken(token),
        user: found.user,
        kind: 'session',
        expiresAt,
        createdAt: at.toISOString(),
      });
      return { user: found.user, token, expiresAt };
    });
  }

  /** The user a session token belongs to; throws when it is unknown or expired. */
  authenticate(token: string): string {
    const found = this.store.token(hashToken(token));
    if (found?.kind !== 'session') throw new TokenNotAcceptedError(this.controller);
    if (Date.parse(found.expiresAt) <= this.now().getTime())
      throw new TokenExpiredError(this.controller, found.expiresAt);
    return found.user;
  }

  /** Revokes a session token (rune logout). */
  logout(token: string): void {
    this.store.removeToken(hashToken(token));
  }
}
