// The status sort's fast paths (issue 16 item 2: 10,000 units sorted per `rune status`) order
// names exactly as Juju's natural sort does, chunk by chunk, for any names at all.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareUnitNames, naturalCompare } from '../../../../core/controller/status-text/table.js';

/** Juju's natural sort, chunk by chunk with no shortcut: the order the fast paths must keep. */
function chunked(a: string, b: string): number {
  const xs = a.match(/\d+|\D+/g) ?? [];
  const ys = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i] ?? '';
    const y = ys[i] ?? '';
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y) && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return xs.length - ys.length;
}

const name = fc.stringMatching(/^[a-z0-9/-]{0,8}$/);

describe('status sort order', () => {
  it('naturalCompare agrees with the chunked comparison', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(Math.sign(naturalCompare(a, b))).toBe(Math.sign(chunked(a, b)));
      }),
    );
  });

  it('sorts units by application, then index as a number', () => {
    const units = ['etcd/10', 'etcd-backup/0', 'etcd/2', 'etcd/02', 'app/1', 'etcd/0'];
    expect(units.sort(compareUnitNames)).toEqual([
      'app/1',
      'etcd/0',
      'etcd/02',
      'etcd/2',
      'etcd/10',
      'etcd-backup/0',
    ]);
  });
});
