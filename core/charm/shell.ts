// POSIX sh quoting, the one copy: charms build the commands they hand to `ctx.machine.run` with
// it, and the machine agent frames its own scripts with it. Pure.
import { ShellWordError } from './hook-errors.js';

/**
 * `text` as one sh word, single-quoted: inside '...' every byte is literal except `'` itself,
 * which is closed, escaped and reopened (`'\''`). Newlines, `$`, backticks, globs and non-ASCII
 * text pass unchanged. A NUL byte cannot be in any argv, so it throws ShellWordError.
 * Quoting is for the shell only: a word starting with `-` is still an option to the command.
 */
export function shellQuote(text: string): string {
  if (text.includes('\0')) throw new ShellWordError(text);
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

// Words made only of these need no quotes: nothing in them splits, expands or globs.
const SAFE = /^[A-Za-z0-9_./:=,@%+-]+$/;

// A command's first word is also read as an assignment (`a=b`) or a reserved word (`if`)
// when bare, so there it is quoted unless it is neither.
const RESERVED = new Set('if then else elif fi do done case esac while until for { } !'.split(' '));

function bare(word: string, first: boolean): boolean {
  if (!SAFE.test(word)) return false;
  return !first || (!word.includes('=') && !RESERVED.has(word));
}

/**
 * One command line from argv: sh hands the command exactly these words. Words that cannot
 * split, expand or change meaning stay bare, so the commands tests and operators read stay
 * readable; every other word is shellQuote'd.
 */
export function commandLine(argv: readonly string[]): string {
  return argv.map((word, i) => (bare(word, i === 0) ? word : shellQuote(word))).join(' ');
}
