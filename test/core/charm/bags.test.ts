// The bags a hook reads and writes (core/charm/bags.ts): toObject() is the charm's own copy,
// view() the bag itself, frozen; a buffered bag's view shows the hook's pending writes.
import { describe, expect, it } from 'vitest';
import { BufferedBag, readBag } from '../../../core/charm/bags.js';

describe('databag views', () => {
  it("a remote bag's view is the stored bag, frozen, and never a copy; toObject is a copy", () => {
    const stored = Object.freeze({ host: 'a', port: '1' });
    const bag = readBag(stored);
    expect(bag.view()).toBe(stored);
    const copy = bag.toObject();
    copy['host'] = 'changed';
    expect(bag.get('host')).toBe('a');
    expect(() => Object.assign(bag.view(), { host: 'x' })).toThrow(TypeError);
    // A bag handed in unfrozen is copied once, so the caller cannot change it under the hook.
    const loose: Record<string, string> = { host: 'a' };
    const held = readBag(loose);
    loose['host'] = 'b';
    expect(held.view()).toEqual({ host: 'a' });
    expect(Object.isFrozen(held.view())).toBe(true);
  });

  it("a buffered bag's view shows the hook's pending writes and deletes, frozen", () => {
    const bag = new BufferedBag(
      { host: 'a', stale: 'x' },
      { relation: 'db:0', unit: 'app/0', guard: () => undefined },
    );
    bag.set('host', 'b');
    bag.delete('stale');
    const view = bag.view();
    expect(view).toEqual({ host: 'b' });
    expect(Object.isFrozen(view)).toBe(true);
    bag.set('port', '2');
    expect(bag.view()).toEqual({ host: 'b', port: '2' });
  });
});
