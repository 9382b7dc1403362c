// How charms quote command output in errors and statuses: one line, shortened, and for tools
// that log noise first (etcdctl, curl), only the line that says what went wrong.
import { describe, expect, it } from 'vitest';
import { LAST_LINE, excerpt } from '../../../charms/lib/excerpt.js';

describe('excerpt', () => {
  it('folds the output onto one line and cuts it at the limit', () => {
    expect(excerpt('  E: Unable to locate\n   package etcd-server \n')).toBe(
      'E: Unable to locate package etcd-server',
    );
    expect(excerpt('x'.repeat(301))).toBe(`${'x'.repeat(300)}…`);
    expect(excerpt('abcdef', { limit: 3 })).toBe('abc…');
    expect(excerpt('')).toBe('');
  });

  it("quotes etcdctl's last Error line alone, not the retry log before it", () => {
    const stderr = [
      '{"level":"warn","msg":"retrying of unary invoker failed"}',
      'Error: context deadline exceeded',
    ].join('\n');
    expect(excerpt(stderr, { line: /^Error:/ })).toBe('Error: context deadline exceeded');
    expect(excerpt('no such line', { line: /^Error:/ })).toBe('no such line');
  });

  it('quotes the last line that says anything', () => {
    expect(excerpt('% Total\ncurl: (6) Could not resolve host\n\n', { line: LAST_LINE })).toBe(
      'curl: (6) Could not resolve host',
    );
    expect(excerpt(' \n', { line: LAST_LINE })).toBe('');
  });
});
