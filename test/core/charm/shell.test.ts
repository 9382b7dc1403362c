// The SDK's shell quoting: what a real sh receives is exactly the argv given, whatever the words.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShellWordError, commandLine, shellQuote } from '../../../core/charm/index.js';

/** The words sh hands to printf after parsing `line` as a command's arguments. */
function argvOf(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`]);
  return out.toString('utf8').split('\0').slice(0, -1);
}

/** What sh runs for the command `line`, given a program named `name` that prints its argv. */
function commandOf(name: string, line: string): string[] {
  const bin = mkdtempSync(join(tmpdir(), 'rune-shell-'));
  try {
    writeFileSync(join(bin, name), `#!/bin/sh\nprintf '%s\\0' "$0" "$@"\n`, { mode: 0o755 });
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const out = execFileSync('/bin/sh', ['-c', line], { env }).toString('utf8');
    return out
      .split('\0')
      .slice(0, -1)
      .map((w, i) => (i === 0 ? basename(w) : w));
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe('shellQuote', () => {
  it('single-quotes, escaping only the single quote', () => {
    expect(shellQuote('plain')).toBe(`'plain'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(shellQuote(`''`)).toBe(`''\\'''\\'''`);
    expect(shellQuote('')).toBe(`''`);
    expect(shellQuote('x\ny')).toBe(`'x\ny'`);
  });

  it('keeps every word literal in a real sh', () => {
    const words = [
      '',
      ' ',
      'a b',
      `it's`,
      `'`,
      `"double"`,
      '\\',
      '$HOME',
      '${PATH}',
      '$(id)',
      '`id`',
      '*',
      '?',
      '[a]',
      '~',
      '~root',
      'x\ny',
      'tab\there',
      '\r\n',
      '-n',
      '-e',
      '--',
      ';',
      '&&',
      '|',
      '#comment',
      'a=b',
      'naïve ünïcödé ✓ 日本',
      '\u{1F600}',
      '\x01\x7f',
    ];
    expect(argvOf(words.map(shellQuote).join(' '))).toEqual(words);
  });

  it('keeps any string without NUL literal', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\0')),
          { minLength: 1 },
        ),
        (words) => {
          expect(argvOf(words.map(shellQuote).join(' '))).toEqual(words);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('leaves a leading dash an option: quoting is for the shell, not the command', () => {
    // printf sees `-n` either way; a caller passes `--` where a value may start with a dash.
    expect(argvOf(shellQuote('-n'))).toEqual(['-n']);
  });

  it('refuses a NUL byte, which no argv can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(ShellWordError);
    expect(() => shellQuote('a\0b')).toThrow(/NUL byte/);
  });
});

describe('commandLine', () => {
  it('quotes only the words that could split or expand', () => {
    expect(commandLine(['etcdctl', '--endpoints=https://a:2379', 'put', 'k', '{"a": 1}'])).toBe(
      `etcdctl --endpoints=https://a:2379 put k '{"a": 1}'`,
    );
    expect(commandLine(["it's", ''])).toBe(`'it'\\''s' ''`);
  });

  it('quotes a first word sh would read as an assignment or a reserved word', () => {
    expect(commandLine(['a=b', 'c=d'])).toBe(`'a=b' c=d`);
    expect(commandLine(['if', 'then'])).toBe(`'if' then`);
    expect(commandLine(['!'])).toBe(`'!'`);
    expect(commandOf('a=b', commandLine(['a=b', 'c=d']))).toEqual(['a=b', 'c=d']);
    expect(commandOf('if', commandLine(['if', 'then']))).toEqual(['if', 'then']);
  });

  it('hands sh exactly the argv given', () => {
    const argv = ['a b', `it's`, '$HOME', '*', '`id`', 'x\ny', '--', '-n', '', 'ü', 'k=v'];
    expect(argvOf(commandLine(argv))).toEqual(argv);
    fc.assert(
      fc.property(
        fc.array(
          fc.string().filter((s) => !s.includes('\0')),
          { minLength: 1 },
        ),
        (words) => {
          expect(argvOf(commandLine(words))).toEqual(words);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses a NUL byte in any word', () => {
    expect(() => commandLine(['echo', 'a\0b'])).toThrow(ShellWordError);
  });
});
