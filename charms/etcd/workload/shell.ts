// POSIX sh quoting for the commands this charm hands to `ctx.machine.run`. Pure.
// agents/machine/framing.ts has the same function, but charms may not import agents/ (STYLE.md).
import { ShellWordError } from './errors.js';

/** Single-quotes `text`: every byte is literal inside '...' except `'` itself. */
export function shellQuote(text: string): string {
  if (text.includes('\0')) throw new ShellWordError(text);
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** One command line from argv, every word quoted (so paths and values never split or expand). */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/**
 * `command` again until it exits 0, at most `attempts` times `delaySeconds` apart, exiting with
 * its last code. The wait happens on the machine: a hook has no clock of its own, and etcd's
 * "wait a moment" answers (a member still starting, a removal within 5 s of a start refused as
 * "unhealthy cluster") clear up within seconds.
 */
export function retrying(command: string, attempts: number, delaySeconds: number): string {
  return (
    `i=1; until ( ${command} ); do rc=$?; ` +
    `[ "$i" -ge ${attempts} ] && exit "$rc"; i=$((i+1)); sleep ${delaySeconds}; done`
  );
}
