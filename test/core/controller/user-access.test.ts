// Users of the API over TCP on a real store (SQLite; on etcd too, in the store-on-etcd project):
// a registration secret works once and until it expires, a session token until it expires or is
// revoked, a reopened store (on etcd: a replica rebuilt from the log, as another member's) knows
// them, and the store's files never hold either (only their sha256).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RegistrationExpiredError,
  RegistrationNotAcceptedError,
  TokenExpiredError,
  TokenNotAcceptedError,
  UserNameError,
} from '../../../core/controller/access-errors.js';
import { SESSION_TTL_MS, UserAccess } from '../../../core/controller/user-access.js';
import type { Store } from '../../../core/store/types.js';
import { openStore } from '../store/open-store.js';

let dir: string;
let store: Store;
let now: Date;
let access: UserAccess;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rune-users-'));
  store = openStore(join(dir, 'store.db'), () => now);
  now = new Date('2026-12-07T10:00:00Z');
  access = new UserAccess(store, 'hq', () => now);
});
afterEach(() => store.close());

describe('UserAccess', () => {
  it('swaps a registration secret for a token that then authenticates its user', () => {
    const added = access.addUser('bob');
    expect(added).toMatchObject({ user: 'bob', created: true });
    expect(added.expiresAt).toBe('2026-12-08T10:00:00.000Z');
    const session = access.register(added.secret);
    expect(session.user).toBe('bob');
    expect(access.authenticate(session.token)).toBe('bob');
  });

  it('takes a registration secret once', () => {
    const { secret } = access.addUser('bob');
    access.register(secret);
    expect(() => access.register(secret)).toThrow(RegistrationNotAcceptedError);
    expect(() => access.register(secret)).toThrow(/used already.*rune add-user NAME/);
  });

  it('refuses a registration secret past its expiry, saying when it expired', () => {
    const { secret } = access.addUser('bob', 60_000);
    now = new Date(now.getTime() + 60_000);
    expect(() => access.register(secret)).toThrow(RegistrationExpiredError);
    expect(() => access.register(secret)).toThrow(/expired at 2026-12-07T10:01:00.000Z/);
  });

  it('refuses a token it never issued, or one past its expiry', () => {
    expect(() => access.authenticate('made-up')).toThrow(TokenNotAcceptedError);
    expect(() => access.authenticate('made-up')).toThrow(
      'token not accepted by controller "hq"; rune register again or ask its admin',
    );
    const { token } = access.register(access.addUser('bob').secret);
    now = new Date(now.getTime() + SESSION_TTL_MS);
    expect(() => access.authenticate(token)).toThrow(TokenExpiredError);
  });

  it('does not take a registration secret as a token, nor a token as a secret', () => {
    const { secret } = access.addUser('bob');
    expect(() => access.authenticate(secret)).toThrow(TokenNotAcceptedError);
    const { token } = access.register(secret);
    expect(() => access.register(token)).toThrow(RegistrationNotAcceptedError);
  });

  it('revokes a token on logout', () => {
    const { token } = access.register(access.addUser('bob').secret);
    access.logout(token);
    expect(() => access.authenticate(token)).toThrow(TokenNotAcceptedError);
  });

  it('gives an existing user a new string, the old token still working', () => {
    const { token } = access.register(access.addUser('bob').secret);
    const again = access.addUser('bob');
    expect(again.created).toBe(false);
    expect(access.register(again.secret).user).toBe('bob');
    expect(access.authenticate(token)).toBe('bob');
    expect(store.users()).toEqual(['bob']);
  });

  it('refuses a user name that is not one', () => {
    expect(() => access.addUser('Bob Smith')).toThrow(UserNameError);
  });

  it('keeps neither secret nor token in the store files', () => {
    const { secret } = access.addUser('bob');
    const { token } = access.register(secret);
    const { secret: unused } = access.addUser('alice');
    store.close();
    const bytes = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f)).toString('latin1'))
      .join('');
    for (const s of [secret, token, unused]) expect(bytes).not.toContain(s);
    store = openStore(join(dir, 'store.db'), () => now);
  });

  it('knows users and tokens after the store is reopened, the secret still single-use', () => {
    const { secret } = access.addUser('bob');
    const { token } = access.register(secret);
    const unused = access.addUser('alice').secret;
    store.close();
    store = openStore(join(dir, 'store.db'), () => now);
    access = new UserAccess(store, 'hq', () => now);
    expect(access.authenticate(token)).toBe('bob');
    expect(() => access.register(secret)).toThrow(RegistrationNotAcceptedError);
    expect(access.register(unused).user).toBe('alice');
    expect(store.users()).toEqual(['alice', 'bob']);
  });
});
