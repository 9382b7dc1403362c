// Users of the controller's API over TCP and their tokens (issue 16 item 5): only each token's
// sha256 is kept, never the token. A registration token is single-use (register swaps it for a
// session token in one transaction); both expire.
import type Database from 'better-sqlite3';
import type { UserStore, UserToken } from './user-types.js';

/** Appended at the end of MIGRATIONS (renumbered at merge). */
export const USERS_MIGRATION = `
  CREATE TABLE users (name TEXT PRIMARY KEY, created_at TEXT NOT NULL);
  CREATE TABLE user_tokens (
    hash TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
  );`;

interface TokenRow {
  hash: string;
  user: string;
  kind: string;
  expires_at: string;
  created_at: string;
}

export function userStore(db: Database.Database): UserStore {
  return {
    addUser(name, at) {
      return (
        db.prepare(`INSERT OR IGNORE INTO users (name, created_at) VALUES (?, ?)`).run(name, at)
          .changes > 0
      );
    },
    users() {
      const rows = db.prepare(`SELECT name FROM users ORDER BY name`).all() as { name: string }[];
      return rows.map((r) => r.name);
    },
    addToken(token) {
      db.prepare(
        `INSERT INTO user_tokens (hash, user, kind, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`,
      ).run(token.hash, token.user, token.kind, token.expiresAt, token.createdAt);
    },
    token(hash) {
      const row = db.prepare(`SELECT * FROM user_tokens WHERE hash = ?`).get(hash) as
        TokenRow | undefined;
      if (row === undefined) return undefined;
      const token: UserToken = {
        hash: row.hash,
        user: row.user,
        kind: row.kind as UserToken['kind'],
        expiresAt: row.expires_at,
        createdAt: row.created_at,
      };
      return token;
    },
    removeToken(hash) {
      return db.prepare(`DELETE FROM user_tokens WHERE hash = ?`).run(hash).changes > 0;
    },
  };
}
