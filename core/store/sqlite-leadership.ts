// Leadership in the store (DESIGN §3, §6): who leads each application, until when its lease
// runs, and the application's leader settings with a version that followers' hooks key on.
import type Database from 'better-sqlite3';
import { statements } from './statements.js';
import type { StoreCipher } from './store-cipher.js';
import type { LeadershipStore } from './types.js';

/** Migration 6: leader leases and leader settings. */
export const LEADERSHIP_MIGRATION = `
  ALTER TABLE applications ADD COLUMN lease_expires INTEGER;
  ALTER TABLE applications ADD COLUMN leader_settings_version INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE leader_settings (
    application TEXT NOT NULL REFERENCES applications(name) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (application, key)
  );`;

/** Values are sealed (sealed-columns.ts): easyrsa's CA key and etcd's token live here. */
export function leadershipStore(db: Database.Database, cipher: StoreCipher): LeadershipStore {
  const prepare = statements(db);
  const appRow = (application: string) =>
    prepare(
      `SELECT leader, lease_expires, leader_settings_version FROM applications WHERE name = ?`,
    ).get(application) as
      | { leader: string | null; lease_expires: number | null; leader_settings_version: number }
      | undefined;
  return {
    leader(application) {
      return appRow(application)?.leader ?? undefined;
    },
    leaseExpires(application) {
      return appRow(application)?.lease_expires ?? undefined;
    },
    setLeader(application, unit, leaseExpires) {
      prepare(`UPDATE applications SET leader = ?, lease_expires = ? WHERE name = ?`).run(
        unit ?? null,
        unit === undefined ? null : (leaseExpires ?? null),
        application,
      );
    },
    renewLease(application, leaseExpires) {
      prepare(`UPDATE applications SET lease_expires = ? WHERE name = ?`).run(
        leaseExpires,
        application,
      );
    },
    leaderSettings(application) {
      const rows = prepare(
        `SELECT key, value FROM leader_settings WHERE application = ? ORDER BY key`,
      ).all(application) as { key: string; value: string }[];
      return Object.fromEntries(
        rows.map((r) => [r.key, cipher.open(r.value, 'leader_settings.value')]),
      );
    },
    leaderSettingsVersion(application) {
      return appRow(application)?.leader_settings_version ?? 0;
    },
    writeLeaderSettings(application, writes) {
      const before = this.leaderSettings(application);
      let changed = false;
      for (const [key, value] of Object.entries(writes)) {
        if (value === null || value === '') {
          if (!Object.hasOwn(before, key)) continue;
          prepare(`DELETE FROM leader_settings WHERE application = ? AND key = ?`).run(
            application,
            key,
          );
        } else {
          if (before[key] === value) continue;
          prepare(
            `INSERT INTO leader_settings (application, key, value) VALUES (?, ?, ?)
               ON CONFLICT (application, key) DO UPDATE SET value = excluded.value`,
          ).run(application, key, cipher.seal(value));
        }
        changed = true;
      }
      // Only a real change bumps the version: followers must not run a hook for nothing.
      if (changed) {
        prepare(
          `UPDATE applications SET leader_settings_version = leader_settings_version + 1 WHERE name = ?`,
        ).run(application);
      }
      return changed;
    },
  };
}
