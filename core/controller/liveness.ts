// Whether a controller that did not answer is gone (start another) or still there and silent
// (say so, exit 3), decided from facts about its lock and pid file: never start a second
// controller beside one that is stopped or hung (issue 15 item 7). Pure: the facts come in.
import type { LockProbe } from './store-lock.js';

export interface SilentControllerFacts {
  lock: LockProbe;
  /** The pid in controller.pid, if it holds one. */
  recordedPid?: number;
  recordedAlive: boolean;
  /** Whether that pid runs `controller run NAME`; undefined when it cannot be told (no /proc). */
  recordedIsController?: boolean;
}

export type SilentVerdict = { kind: 'gone' } | { kind: 'silent'; pid: number | undefined };

/**
 * Gone only when nothing holds the store's lock and the recorded pid is dead, or alive but
 * another program (its number reused after a reboot). A live controller without the lock (one
 * from before the lock existed) counts as there: a second one beside it is what broke stores.
 */
export function judgeSilentController(facts: SilentControllerFacts): SilentVerdict {
  const recorded = facts.recordedAlive ? facts.recordedPid : undefined;
  if (facts.lock.held) return { kind: 'silent', pid: facts.lock.pid ?? recorded };
  if (recorded !== undefined && facts.recordedIsController !== false) {
    return { kind: 'silent', pid: recorded };
  }
  return { kind: 'gone' };
}

/** Whether a process's arguments (/proc/PID/cmdline) are those of `controller run NAME`. */
export function isControllerCommand(argv: readonly string[], name: string): boolean {
  return argv.some((a, i) => a === 'controller' && argv[i + 1] === 'run' && argv[i + 2] === name);
}

/** The state letter of /proc/PID/stat ("R", "S", "T" for stopped, ...); the name before it may
 * hold spaces and parentheses, so it is read after the last ")". */
export function processState(stat: string): string | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 1).trim();
  return rest.split(/\s+/)[0] || undefined;
}
