// The dashboard's login: a link's secret works once and only until it expires, a session only
// until its own end, and the cookie is one no script, other site or plain HTTP page gets.
import { describe, expect, it } from 'vitest';
import {
  DASHBOARD_SESSION_TTL_MS,
  DashboardSessions,
  LOGIN_TTL_MS,
  sessionCookie,
  sessionSetCookie,
} from '../../../core/controller/dashboard-sessions.js';

function clock() {
  let now = Date.parse('2026-12-07T12:00:00Z');
  return { now: () => now, pass: (ms: number) => (now += ms) };
}

const cookie = (session: string) => `theme=dark; rune-dashboard=${session}`;

describe('dashboard sessions', () => {
  it('swaps a login secret for a session once', () => {
    const sessions = new DashboardSessions();
    const { secret } = sessions.issueLogin();
    const session = sessions.login(secret);
    expect(session).toBeDefined();
    expect(sessions.admits(cookie(session ?? ''))).toBe(true);
    expect(sessions.login(secret)).toBeUndefined();
  });

  it('refuses a login secret past its expiry, and a session past its own', () => {
    const c = clock();
    const sessions = new DashboardSessions(c.now);
    const late = sessions.issueLogin();
    c.pass(LOGIN_TTL_MS);
    expect(sessions.login(late.secret)).toBeUndefined();
    const session = sessions.login(sessions.issueLogin().secret) ?? '';
    c.pass(DASHBOARD_SESSION_TTL_MS - 1);
    expect(sessions.admits(cookie(session))).toBe(true);
    c.pass(1);
    expect(sessions.admits(cookie(session))).toBe(false);
  });

  it('admits no request without a session it issued', () => {
    const sessions = new DashboardSessions();
    expect(sessions.admits(undefined)).toBe(false);
    expect(sessions.admits('rune-dashboard=')).toBe(false);
    expect(sessions.admits('rune-dashboard=made-up')).toBe(false);
    // The login secret itself is no session.
    const { secret } = sessions.issueLogin();
    expect(sessions.admits(cookie(secret))).toBe(false);
  });

  it('sets a cookie that is HttpOnly, Secure, SameSite=Strict and for the dashboard only', () => {
    const header = sessionSetCookie('abc');
    expect(header.split('; ')).toEqual(
      expect.arrayContaining([
        'rune-dashboard=abc',
        'HttpOnly',
        'Secure',
        'SameSite=Strict',
        'Path=/dashboard',
      ]),
    );
    expect(sessionCookie('a=1; rune-dashboard=abc; b=2')).toBe('abc');
  });
});
