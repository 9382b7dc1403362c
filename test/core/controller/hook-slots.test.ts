// The global hook bound: never more than `max` holders, waiters served in order, a slot handed
// over on release; with the machine lock, one hook per machine still.
import { describe, expect, it } from 'vitest';
import { MachineLock } from '../../../agents/machine/lock.js';
import { boundedLock, HookSlots } from '../../../core/controller/hook-slots.js';

describe('HookSlots', () => {
  it('holds at most max, and hands a released slot to the first waiter', async () => {
    const slots = new HookSlots(2);
    const a = await slots.acquire();
    const b = await slots.acquire();
    const order: string[] = [];
    const c = slots.acquire().then((r) => (order.push('c'), r));
    const d = slots.acquire().then((r) => (order.push('d'), r));
    await Promise.resolve();
    expect(order).toEqual([]);
    a();
    a(); // twice: must not free a second slot
    const rc = await c;
    expect(order).toEqual(['c']);
    b();
    const rd = await d;
    expect(order).toEqual(['c', 'd']);
    rc();
    rd();
    // Both free again: two immediate acquisitions.
    const [x, y] = await Promise.all([slots.acquire(), slots.acquire()]);
    x();
    y();
  });

  it('with the machine lock: a second hook on the same machine waits, other machines do not', async () => {
    const lock = boundedLock(new MachineLock(), new HookSlots(4));
    const first = await lock.acquire('0');
    let second = false;
    const waiting = lock.acquire('0').then((r) => ((second = true), r));
    const other = await lock.acquire('1');
    await Promise.resolve();
    expect(second).toBe(false);
    first();
    (await waiting)();
    expect(second).toBe(true);
    other();
  });
});
