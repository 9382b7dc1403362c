// Lookups and writes by user-chosen names never reach Object.prototype (issue 15 item 12).
import { describe, expect, it } from 'vitest';
import { own, setOwn } from '../../../core/model/own.js';

describe('own and setOwn', () => {
  it('read inherited names as absent', () => {
    const options: Record<string, number> = { port: 1 };
    expect(own(options, 'port')).toBe(1);
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(own(options, name)).toBeUndefined();
    }
  });

  it('write __proto__ as an entry of its own, not as the prototype', () => {
    const params: Record<string, unknown> = {};
    setOwn(params, '__proto__', { polluted: true });
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(Object.keys(params)).toEqual(['__proto__']);
    expect(JSON.parse(JSON.stringify(params))).toEqual(params);
  });
});
