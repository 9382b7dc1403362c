import { describe, expect, it } from 'vitest';
import {
  applicationNameProblem,
  isApplicationName,
  isMachineId,
  MAX_NAME_LENGTH,
  NAME_PATTERNS,
  parseUnitName,
} from '../../../core/model/names.js';

describe('application names (Juju rules)', () => {
  it.each(['etcd', 'kubernetes-master', 'k8s', 'a1-b2c', 'web-2x'])('accepts %s', (name) => {
    expect(isApplicationName(name)).toBe(true);
  });
  it.each([
    ['Etcd', 'must start with a lowercase letter'],
    ['1etcd', 'must start with a lowercase letter'],
    ['etcd_1', 'may hold only lowercase letters, digits and hyphens'],
    ['etcd--a', 'must not have a doubled or trailing hyphen'],
    ['etcd-', 'must not have a doubled or trailing hyphen'],
    ['etcd-2', 'must not have a hyphen followed only by digits'],
    ['', 'must not be empty'],
  ])('rejects %j: %s', (name, problem) => {
    expect(isApplicationName(name)).toBe(false);
    expect(applicationNameProblem(name)).toBe(problem);
  });
});

describe('name length', () => {
  it(`allows ${MAX_NAME_LENGTH} characters and refuses more, before any later limit trips`, () => {
    const longest = `a${'b'.repeat(MAX_NAME_LENGTH - 1)}`;
    expect(isApplicationName(longest)).toBe(true);
    expect(isApplicationName(`${longest}c`)).toBe(false);
    expect(applicationNameProblem('a'.repeat(300))).toBe(
      `must be at most ${MAX_NAME_LENGTH} characters long, not 300`,
    );
    expect(parseUnitName(`${longest}c/0`)).toBeUndefined();
    // A unit's name, and a host name made of it, stay within a certificate's CN (64).
    expect(`${longest}/999999`.length).toBeLessThanOrEqual(64);
  });

  it('gives JSON schemas the same rules', () => {
    expect(new RegExp(NAME_PATTERNS.unit).test('etcd-a/12')).toBe(true);
    expect(new RegExp(NAME_PATTERNS.unit).test('etcd/01')).toBe(false);
    expect(new RegExp(NAME_PATTERNS.application).test('etcd-2')).toBe(false);
  });
});

describe('unit names and machine ids', () => {
  it('parses app/N', () => {
    expect(parseUnitName('etcd/12')).toEqual({ application: 'etcd', number: 12 });
    expect(parseUnitName('etcd/01')).toBeUndefined();
    expect(parseUnitName('etcd')).toBeUndefined();
    expect(parseUnitName('Etcd/0')).toBeUndefined();
  });
  it('machine ids are non-negative integers without leading zeros', () => {
    expect(['0', '7', '10'].every(isMachineId)).toBe(true);
    expect(['01', '-1', '1.5', '', 'a'].some(isMachineId)).toBe(false);
  });
});
