// A model of many units without deploying them (issue 16 item 2's 10,000-unit status figure):
// deploying 10,000 sim units takes far longer than a bench run, so the bench deploys a few,
// stops the controller, and copies one settled unit (with a sim machine of its own) in the
// store until the model has `total` units. The controller then starts on a settled model.
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { simAddress } from '../agents/providers/sim/sim-provider.js';

type Row = Record<string, unknown>;

/** Copies `template`'s unit and machine rows until `application` has `total` units. */
export function seedUnits(storeFile: string, template: string, total: number): number {
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  const db = new Sqlite(storeFile);
  try {
    const unit = db.prepare('SELECT * FROM units WHERE name = ?').get(template) as Row;
    const machine = db
      .prepare('SELECT * FROM machines WHERE id = ?')
      .get(Number(unit.machine)) as Row;
    const application = String(unit.application);
    const insert = (table: string, row: Row) => {
      const keys = Object.keys(row);
      return db.prepare(
        `INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`,
      );
    };
    const addUnit = insert('units', unit);
    const addMachine = insert('machines', machine);
    const count = () =>
      (
        db.prepare('SELECT count(*) AS n FROM units WHERE application = ?').get(application) as {
          n: number;
        }
      ).n;
    let added = 0;
    db.transaction(() => {
      let nextMachine = (
        db.prepare("SELECT next FROM sequences WHERE name = 'machine'").get() as { next: number }
      ).next;
      let nextUnit = (
        db
          .prepare('SELECT next_unit_number AS n FROM applications WHERE name = ?')
          .get(application) as { n: number }
      ).n;
      for (let have = count(); have < total; have++, added++) {
        const id = nextMachine++;
        const number = nextUnit++;
        addMachine.run(
          ...Object.values({ ...machine, id, instance_id: `sim-${id}`, address: simAddress(id) }),
        );
        addUnit.run(
          ...Object.values({
            ...unit,
            name: `${application}/${number}`,
            number,
            machine: String(id),
          }),
        );
      }
      db.prepare("UPDATE sequences SET next = ? WHERE name = 'machine'").run(nextMachine);
      db.prepare('UPDATE applications SET next_unit_number = ? WHERE name = ?').run(
        nextUnit,
        application,
      );
    })();
    return added;
  } finally {
    db.close();
  }
}
