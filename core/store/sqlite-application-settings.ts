// Per-application settings that are Rune's rather than the charm's (Juju's application config
// beside charm config): the rollout policy, under model-config's key names. Rows go with their
// application.
import type Database from 'better-sqlite3';
import type { ApplicationSettingsStore } from './types.js';

/** Part of migration 10 (11 once merged), with resource revisions. */
export const APPLICATION_SETTINGS_MIGRATION = `
  CREATE TABLE application_settings (
    application TEXT NOT NULL REFERENCES applications(name) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (application, key)
  );`;

export function applicationSettingsStore(db: Database.Database): ApplicationSettingsStore {
  return {
    applicationSettings(application) {
      const rows = db
        .prepare(`SELECT key, value FROM application_settings WHERE application = ? ORDER BY key`)
        .all(application) as { key: string; value: string }[];
      return Object.fromEntries(rows.map((r) => [r.key, r.value]));
    },
    setApplicationSettings(application, values, reset) {
      db.transaction(() => {
        const drop = db.prepare(
          `DELETE FROM application_settings WHERE application = ? AND key = ?`,
        );
        for (const key of reset) drop.run(application, key);
        const set = db.prepare(
          `INSERT INTO application_settings (application, key, value) VALUES (?, ?, ?)
             ON CONFLICT (application, key) DO UPDATE SET value = excluded.value`,
        );
        for (const [key, value] of Object.entries(values)) set.run(application, key, value);
      })();
    },
  };
}
