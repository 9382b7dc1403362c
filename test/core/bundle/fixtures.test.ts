// One fixture per validation rule (test/fixtures/bundles/): each ends with `# expect:` lines
// giving every diagnostic it must produce — exact message, line and column, nothing more.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectations, lines, validateFile } from './load.js';

const dir = 'test/fixtures/bundles';
const list = (sub: string) =>
  readdirSync(join(dir, sub))
    .filter((f) => f.endsWith('.yaml'))
    .sort();

describe('invalid bundle fixtures', () => {
  const files = list('invalid');
  it('cover at least 40 rules', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });
  it.each(files)('%s', (name) => {
    const file = join(dir, 'invalid', name);
    const want = expectations(file);
    expect(want.length, `${file} has no "# expect:" lines`).toBeGreaterThan(0);
    const result = validateFile(file);
    expect(lines(result, file)).toEqual(want);
    expect(result.bundle).toBeUndefined();
  });
});

describe('valid bundle fixtures (warnings only)', () => {
  it.each(list('valid'))('%s', (name) => {
    const file = join(dir, 'valid', name);
    const result = validateFile(file);
    expect(lines(result, file)).toEqual(expectations(file));
    expect(result.bundle).toBeDefined();
  });
});
