// Who may see the dashboard (issue 17 item 6): `rune dashboard` asks for a one-time login secret
// (single use, minutes long), the browser swaps it for a session cookie. Only hashes are kept,
// in memory: a restarted controller forgets its sessions, and `rune dashboard` makes a new link.
import { createHash, randomBytes } from 'node:crypto';

/** How long a login link works: long enough to paste it, short enough that a stale one is dead. */
export const LOGIN_TTL_MS = 5 * 60 * 1000;
/** How long a browser session lasts; then `rune dashboard` again. */
export const DASHBOARD_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const SESSION_COOKIE = 'rune-dashboard';

const hash = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
const newSecret = () => randomBytes(32).toString('base64url');

export class DashboardSessions {
  private readonly logins = new Map<string, number>();
  private readonly sessions = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new login secret and when it stops working. */
  issueLogin(ttlMs = LOGIN_TTL_MS): { secret: string; expiresAt: string } {
    this.prune();
    const secret = newSecret();
    const expires = this.now() + ttlMs;
    this.logins.set(hash(secret), expires);
    return { secret, expiresAt: new Date(expires).toISOString() };
  }

  /** A session for a login secret, which works once; undefined for one unknown or expired. */
  login(secret: string): string | undefined {
    const key = hash(secret);
    const expires = this.logins.get(key);
    this.logins.delete(key);
    if (expires === undefined || expires <= this.now()) return undefined;
    const session = newSecret();
    this.sessions.set(hash(session), this.now() + DASHBOARD_SESSION_TTL_MS);
    return session;
  }

  /** Whether the request's Cookie header holds a live session. */
  admits(cookieHeader: string | undefined): boolean {
    const session = sessionCookie(cookieHeader);
    if (session === undefined) return false;
    const expires = this.sessions.get(hash(session));
    return expires !== undefined && expires > this.now();
  }

  private prune(): void {
    const now = this.now();
    for (const map of [this.logins, this.sessions])
      for (const [k, expires] of map) if (expires <= now) map.delete(k);
  }
}

/** The session cookie's value from a Cookie header. */
export function sessionCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}

/** HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it; Secure: HTTPS
 * only; scoped to the dashboard's paths. */
export function sessionSetCookie(session: string): string {
  const maxAge = Math.floor(DASHBOARD_SESSION_TTL_MS / 1000);
  return `${SESSION_COOKIE}=${session}; Path=/dashboard; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`;
}
