// Shell scripts the charms hand to `ctx.machine.run`, built on the SDK's quoting (core/charm
// shell.ts, the one copy). Pure.
import { commandLine } from 'rune/charm';

/** `sh -c SCRIPT NAME ARGS...`: the script reads its inputs as "$1"... so they need no escaping
 * inside it, and its `exit` and traps end only this child, never the machine's shared session. */
export function shScript(script: string, name: string, args: readonly string[]): string {
  return commandLine(['sh', '-c', script, name, ...args]);
}

/**
 * `command` again until it exits 0, at most `attempts` times `delaySeconds` apart, exiting with
 * its last code. The wait happens on the machine: a hook has no clock of its own, and the "wait
 * a moment" answers this is for (etcd: a member still starting, a removal within 5 s of a start
 * refused as "unhealthy cluster") clear up within seconds.
 */
export function retrying(command: string, attempts: number, delaySeconds: number): string {
  return (
    `i=1; until ( ${command} ); do rc=$?; ` +
    `[ "$i" -ge ${attempts} ] && exit "$rc"; i=$((i+1)); sleep ${delaySeconds}; done`
  );
}
