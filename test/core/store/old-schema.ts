// Store files as older releases left them, for the migration tests: what a release added since
// is taken back out, so opening the file runs the migrations after it.
import Database from 'better-sqlite3';

/** Migration 15 undone: each bag is one JSON text again (plain: nothing to open). */
const BEFORE_DATABAG_KEYS = `
  ALTER TABLE databags ADD COLUMN data TEXT NOT NULL DEFAULT '{}';
  DROP TABLE databag_keys;`;

/** Back to schema 9 (rollouts): none of the tables or columns since. */
export function backToSchema9(path: string): void {
  const db = new Database(path);
  db.exec(
    'DROP TABLE model_revision_applications; DROP TABLE model_revisions; ' +
      'DROP TABLE resource_revisions; DROP TABLE application_settings; DROP TABLE status_history; ' +
      'DROP TABLE user_tokens; DROP TABLE users;' +
      BEFORE_DATABAG_KEYS,
  );
  db.pragma('user_version = 9');
  db.close();
}

/** Back to schema 14 (users): bags as one JSON text each, set here per relation and owner. */
export function backToSchema14(
  path: string,
  bags: { relationId: number; owner: string; data: Record<string, string> }[],
): void {
  const db = new Database(path);
  db.exec(BEFORE_DATABAG_KEYS);
  const set = db.prepare(`UPDATE databags SET data = ? WHERE relation_id = ? AND owner = ?`);
  for (const bag of bags) set.run(JSON.stringify(bag.data), bag.relationId, bag.owner);
  db.pragma('user_version = 14');
  db.close();
}
