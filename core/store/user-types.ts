// The store's contract for API users (issue 16 item 5): users, and tokens kept by their sha256
// alone. Whoever holds the store never holds a token that works.
export interface UserToken {
  /** sha256 of the token, hex. */
  hash: string;
  user: string;
  /** `registration`: the one-time secret of `rune add-user`; `session`: what register gave. */
  kind: 'registration' | 'session';
  expiresAt: string;
  createdAt: string;
}

export interface UserStore {
  /** Records a user; false when one of that name exists already (left as it was). */
  addUser(name: string, at: string): boolean;
  users(): string[];
  addToken(token: UserToken): void;
  token(hash: string): UserToken | undefined;
  /** False when there was no such token. */
  removeToken(hash: string): boolean;
}
