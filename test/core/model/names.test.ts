import { describe, expect, it } from 'vitest';
import {
  applicationNameProblem,
  isApplicationName,
  isMachineId,
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
