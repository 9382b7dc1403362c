// The machine lock: one holder per machine, first come first served, abortable while waiting.
import { describe, expect, test } from 'vitest';
import { MachineLock } from '../../../agents/machine/lock.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('MachineLock', () => {
  test('grants waiters one at a time in the order they asked', async () => {
    const lock = new MachineLock();
    const order: string[] = [];
    const first = await lock.acquire('0');
    const waiting = ['a', 'b', 'c'].map((name) =>
      lock.acquire('0').then((release) => {
        order.push(name);
        return release;
      }),
    );
    await settle();
    expect(order).toEqual([]);
    first();
    (await waiting[0])?.();
    (await waiting[1])?.();
    (await waiting[2])?.();
    expect(order).toEqual(['a', 'b', 'c']);
    expect(lock.isHeld('0')).toBe(false);
  });

  test('different machines do not wait for each other', async () => {
    const lock = new MachineLock();
    await lock.acquire('0');
    const other = await lock.acquire('1');
    expect(lock.isHeld('1')).toBe(true);
    other();
    expect(lock.isHeld('1')).toBe(false);
  });

  test('an aborted waiter leaves the queue and the next one gets the machine', async () => {
    const lock = new MachineLock();
    const release = await lock.acquire('0');
    const controller = new AbortController();
    const aborted = lock.acquire('0', controller.signal);
    const next = lock.acquire('0');
    controller.abort(new Error('hook cancelled'));
    await expect(aborted).rejects.toThrow('hook cancelled');
    release();
    const got = await next;
    expect(lock.isHeld('0')).toBe(true);
    got();
  });

  test('an already aborted signal is refused without taking the machine', async () => {
    const lock = new MachineLock();
    await expect(lock.acquire('0', AbortSignal.abort())).rejects.toThrow();
    expect(lock.isHeld('0')).toBe(false);
  });

  test('releasing twice does not let a second waiter in', async () => {
    const lock = new MachineLock();
    const release = await lock.acquire('0');
    const a = lock.acquire('0');
    const b = lock.acquire('0');
    release();
    release();
    await a;
    let bGot = false;
    void b.then(() => (bGot = true));
    await settle();
    expect(bGot).toBe(false);
  });
});
