// Databag plumbing: `""` deletes, minimal writes, JSON read without throwing.
import { describe, expect, it } from 'vitest';
import {
  applyWrites,
  changedKeys,
  readJson,
  readString,
} from '../../../core/interfaces/databag.js';

describe('databag', () => {
  it('applies writes, "" deleting', () => {
    expect(applyWrites({ a: '1', b: '2' }, { a: '', c: '3' })).toEqual({ b: '2', c: '3' });
  });

  it('keeps __proto__ as an ordinary key', () => {
    const bag = applyWrites({}, JSON.parse('{"__proto__":"x"}') as Record<string, string>);
    expect(Object.keys(bag)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(bag)).toBe(Object.prototype);
  });

  it('returns only the writes that change something', () => {
    expect(changedKeys({ a: '1', b: '2' }, { a: '1', b: '3', c: '', d: '4' })).toEqual({
      b: '3',
      d: '4',
    });
    expect(changedKeys({ a: '1' }, { a: '' })).toEqual({ a: '' });
  });

  it('reads strings and JSON, undefined when absent, empty or malformed', () => {
    expect(readString({ a: 'x', b: '' }, 'a')).toBe('x');
    expect(readString({ b: '' }, 'b')).toBeUndefined();
    expect(readString({}, 'toString')).toBeUndefined();
    expect(readJson({ a: '[1]' }, 'a')).toEqual([1]);
    expect(readJson({ a: '[1' }, 'a')).toBeUndefined();
  });
});
