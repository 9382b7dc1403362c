// Model-wide settings (Juju's model-config) in the meta table, under `model-config.<key>`: kept
// apart from sqlite-model.ts, which is near its size limit. Values are checked by the controller
// (model-config.ts) before they come here.
import type Database from 'better-sqlite3';

type Prepare = (sql: string) => Database.Statement;

export function readModelConfig(stmt: Prepare): Record<string, string> {
  const rows = stmt(`SELECT key, value FROM meta WHERE key LIKE 'model-config.%'`).all() as {
    key: string;
    value: string;
  }[];
  return Object.fromEntries(rows.map((r) => [r.key.slice('model-config.'.length), r.value]));
}

/** In the caller's transaction. */
export function writeModelConfig(stmt: Prepare, values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values)) {
    stmt(
      `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ).run(`model-config.${key}`, value);
  }
}
