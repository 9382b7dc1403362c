// better-sqlite3 statements prepared once per SQL text: preparing one costs more than running a
// small query, and the unit agents' reads run thousands of times a second at scale.
import type Database from 'better-sqlite3';

export function statements(db: Database.Database): (sql: string) => Database.Statement {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
}
