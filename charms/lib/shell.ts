// POSIX sh quoting for commands the Kubernetes charms hand to `ctx.machine.run`. Pure.
// agents/machine has the same function, but charms may import only the SDK (STYLE.md).
import { ShellWordError } from './errors.js';

/** Single-quotes `text`: every byte is literal inside '...' except `'` itself. */
export function shellQuote(text: string): string {
  if (text.includes('\0')) throw new ShellWordError(text);
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

// Words made only of these need no quotes: nothing in them splits, expands or globs.
const SAFE = /^[A-Za-z0-9_./:=,@%+-]+$/;

/** One command line from argv; words that could split or expand are quoted, the rest kept
 * readable (tests and operators read these strings). */
export function commandLine(argv: readonly string[]): string {
  return argv.map((word) => (SAFE.test(word) ? word : shellQuote(word))).join(' ');
}

/** `sh -c SCRIPT NAME ARGS...`: the script reads its inputs as "$1"... so they need no escaping
 * inside it, and its `exit` and traps end only this child, never the machine's shared session. */
export function shScript(script: string, name: string, args: readonly string[]): string {
  return commandLine(['sh', '-c', script, name, ...args]);
}
