// Issue 2's scale: 1,000 applications, 10,000 units, 2,000 machines and 3,000 relations plan
// correctly, with placements that look forward and back. How fast: bench/bundle-scale.ts.
import { describe, expect, it } from 'vitest';
import type { BundleApplication, ResolvedBundle } from '../../../core/bundle/types.js';
import { EMPTY_MODEL } from '../../../core/model/types.js';
import { applyPlan, plan } from '../../../core/planner/index.js';
import { app, bundle, rel, shapeProblems } from './helpers.js';

/** Two declared machines per app; other units new, in lxd beside the previous app, or beside a
 * unit of the next app (so ordering must look forward); relations between neighbours. */
function large(): ResolvedBundle {
  const name = (i: number) => `app-a${String(i).padStart(4, '0')}`;
  const apps: BundleApplication[] = [];
  for (let i = 0; i < 1000; i++) {
    const to = [`${2 * i}`, `lxd:${2 * i + 1}`, 'new'];
    if (i > 0) to.push(`lxd:${name(i - 1)}/3`);
    if (i < 999) to.push(`${name(i + 1)}/2`);
    apps.push(
      app(name(i), { units: 10, to, options: { port: i, mode: 'x' }, constraints: 'mem=1G' }),
    );
  }
  const machines = Object.fromEntries(Array.from({ length: 2000 }, (_, m) => [m, 'cores=2']));
  const relations = Array.from({ length: 3000 }, (_, r) =>
    rel(`${name(r % 1000)}:ep${Math.floor(r / 1000)}`, `${name((r + 1) % 1000)}:db`),
  );
  return bundle(apps, machines, relations);
}

describe('plan at scale', () => {
  it('plans 1,000 applications and 10,000 units, and nothing once they exist', () => {
    const b = large();
    const changes = plan(b, EMPTY_MODEL);
    expect(changes).toHaveLength(1000 + 2000 + 3000 + 10_000);
    expect(shapeProblems(changes)).toEqual([]);
    const lines = (list: typeof changes) => list.map((c) => `${c.id} ${c.describe()}`);
    expect(lines(plan(b, EMPTY_MODEL))).toEqual(lines(changes)); // deterministic
    expect(plan(b, applyPlan(EMPTY_MODEL, changes))).toEqual([]);
  });
});
