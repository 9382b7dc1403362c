import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../core/yaml/diagnostic.js';
import { parseYaml, toPlain } from '../../../core/yaml/located.js';

const messages = (text: string) => parseYaml('f.yaml', text).diagnostics.map(formatDiagnostic);

describe('located YAML', () => {
  it('keeps line and column of keys and values', () => {
    const { documents } = parseYaml('f.yaml', 'a:\n  b: 3\n');
    const root = documents[0];
    expect(root?.kind).toBe('map');
    if (root?.kind !== 'map') return;
    const a = root.entries.get('a');
    expect(a?.keyLoc).toEqual({ file: 'f.yaml', line: 1, col: 1 });
    const b = a?.value.kind === 'map' ? a.value.entries.get('b') : undefined;
    expect(b?.keyLoc).toEqual({ file: 'f.yaml', line: 2, col: 3 });
    expect(b?.value.loc).toEqual({ file: 'f.yaml', line: 2, col: 6 });
  });

  it('rejects duplicate keys with the path and the first place', () => {
    expect(messages('a:\n  b: 1\n  b: 2\n')).toEqual([
      'f.yaml:3:3 a.b: duplicate key "b" (first at line 2)',
    ]);
  });

  it('expands aliases and merge keys', () => {
    const { documents } = parseYaml('f.yaml', 'x: &d {p: 1, q: 2}\ny:\n  <<: *d\n  q: 3\n');
    expect(toPlain(documents[0]!)).toEqual({ x: { p: 1, q: 2 }, y: { p: 1, q: 3 } });
  });

  it('refuses tags that could construct objects', () => {
    expect(messages('a: !!python/object:os.system x\n')).toEqual([
      'f.yaml:1:30 a: tag !!python/object:os.system is not allowed',
    ]);
  });

  // How fast it stops is measured in bench/hostile-input.ts; here, that it stops and says why.
  it('stops an alias bomb with a clear message', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) {
      const prev = `*a${i - 1}`;
      lines.push(`a${i}: &a${i} [${Array(9).fill(prev).join(', ')}]`);
    }
    const result = parseYaml('bomb.yaml', lines.join('\n'));
    expect(result.documents).toEqual([]);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      'aliases expand to more than 100000 nodes; refusing to expand further',
    ]);
  });

  it('refuses a file over the size limit before parsing', () => {
    const result = parseYaml('big.yaml', 'x'.repeat(11 * 1024 * 1024));
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'big.yaml:1:1 file is 11.0 MiB; the limit is 10.0 MiB',
    ]);
  });

  it('reports syntax errors with their place', () => {
    const [d] = parseYaml('f.yaml', 'a: [1, 2\nb: 3\n').diagnostics;
    expect(d?.severity).toBe('error');
    expect(d?.file).toBe('f.yaml');
    expect(d?.message).toMatch(/^invalid YAML: /);
  });

  it('refuses deep nesting', () => {
    const text = `${'['.repeat(100)}${']'.repeat(100)}`;
    expect(parseYaml('f.yaml', text).diagnostics.map((d) => d.message)).toEqual([
      'nesting is deeper than 64 levels',
    ]);
  });
});
