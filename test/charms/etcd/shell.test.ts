// shellQuote and commandLine: what sh sees is exactly the argv given.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ShellWordError } from '../../../charms/etcd/workload/errors.js';
import { commandLine, shellQuote } from '../../../charms/etcd/workload/shell.js';

describe('shellQuote', () => {
  it('single-quotes, escaping only the single quote', () => {
    expect(shellQuote('plain')).toBe(`'plain'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
  });

  it('survives a real sh with spaces, quotes, $, globs, backticks and newlines', () => {
    const argv = ['a b', `it's`, '$HOME', '*', '`id`', 'x\ny', '--', '-n', ''];
    const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${commandLine(argv)}`]);
    expect(out.toString('utf8').split('\0').slice(0, -1)).toEqual(argv);
  });

  it('refuses a NUL byte, which no shell word can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(ShellWordError);
  });
});
