import { describe, expect, it } from 'vitest';
import { checkConstraints } from '../../../core/bundle/constraints.js';

describe('constraints', () => {
  it('accepts Juju constraints', () => {
    expect(checkConstraints('cores=2 mem=4G root-disk=16G arch=amd64 tags=a,b')).toEqual([]);
    expect(checkConstraints('')).toEqual([]);
    expect(checkConstraints('mem=')).toEqual([]);
  });
  it.each([
    ['ram=4G', 'unknown constraint "ram" (did you mean "mem"?)'],
    ['gpus=1', 'unknown constraint "gpus"'],
    ['memm=4G', 'unknown constraint "memm" (did you mean "mem"?)'],
    ['cores', 'malformed constraint "cores": expected key=value'],
    ['mem=lots', 'constraint mem must be a size like 4G or 512M, got "lots"'],
    ['cores=two', 'constraint cores must be a non-negative integer, got "two"'],
    ['arch=x86', 'constraint arch must be one of amd64, arm64, ppc64el, s390x, riscv64, got "x86"'],
    ['cores=1 cores=2', 'constraint "cores" is given more than once'],
  ])('%s → %s', (input, message) => {
    expect(checkConstraints(input).map((p) => p.message)).toEqual([message]);
  });
});
