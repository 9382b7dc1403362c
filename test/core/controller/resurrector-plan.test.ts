// The resurrector's choice: lost local machines past the grace are replaced, manual ones never,
// and the meltdown brake stops it when many machines are lost at once.
import { describe, expect, it } from 'vitest';
import { type MachineFact, planResurrection } from '../../../core/controller/resurrector-plan.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const on = { enabled: true, graceMs: 60_000 };

function machines(count: number, lost: number, lostAgoMs = 120_000): MachineFact[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(i),
    replaceable: true,
    ...(i < lost ? { lostSince: NOW - lostAgoMs } : {}),
  }));
}

describe('planResurrection', () => {
  it('replaces a local machine lost for longer than the grace, and not before', () => {
    expect(planResurrection(machines(40, 1), on, NOW)).toEqual({ replace: ['0'] });
    expect(planResurrection(machines(40, 1, 30_000), on, NOW)).toEqual({ replace: [] });
  });

  it('never replaces a manual machine, nor anything when turned off', () => {
    const manual = machines(4, 1).map((m) => ({ ...m, replaceable: false }));
    expect(planResurrection(manual, on, NOW)).toEqual({ replace: [] });
    expect(planResurrection(machines(4, 1), { ...on, enabled: false }, NOW)).toEqual({
      replace: [],
    });
  });

  it('brakes when more than 20% of the machines (and more than 5) were lost within 10 minutes', () => {
    const plan = planResurrection(machines(40, 10), on, NOW);
    expect(plan.replace).toEqual([]);
    expect(plan.brake).toBe(
      'meltdown brake on: 10 of 40 machines lost within 10 minutes (more than 20% and more ' +
        'than 5); replacing none until they answer or are removed',
    );
    // 8 of 40 is exactly 20%: not more, so they are replaced.
    expect(planResurrection(machines(40, 8), on, NOW).replace).toHaveLength(8);
  });

  it('a small model always replaces up to 5, whatever the share', () => {
    expect(planResurrection(machines(4, 1), on, NOW)).toEqual({ replace: ['0'] });
    expect(planResurrection(machines(6, 5), on, NOW).replace).toHaveLength(5);
    expect(planResurrection(machines(6, 6), on, NOW).brake).toMatch(/6 of 6 machines/);
  });

  it('machines lost long ago do not count towards the brake', () => {
    const old = machines(40, 10, 11 * 60_000);
    expect(planResurrection(old, on, NOW).replace).toHaveLength(10);
  });
});
