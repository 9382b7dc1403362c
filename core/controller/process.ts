// Starting and stopping a controller's process on this host: `rune bootstrap` and the CLI's
// restart of a dead controller start `rune controller run NAME` detached, logging to a file;
// what is known of a controller that does not answer; destroy-controller's stop of its process.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../charm/package-root.js';
import { RuneError } from '../model/errors.js';
import { ApiClient } from './api-client.js';
import {
  isControllerCommand,
  judgeSilentController,
  processState,
  type SilentVerdict,
} from './liveness.js';
import { memberPaths } from './member-paths.js';
import { controllerPaths } from './paths.js';
import { probeStoreLock } from './store-lock.js';
import { waitFor } from './wait-for.js';

export class ControllerStartError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly log: string,
    detail: string,
  ) {
    super(`controller "${controller}" did not start: ${detail}\n(its log: ${log})`);
  }
}

function lastLines(file: string, n: number): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
}

/** Starts the controller (or member `member` of a highly available one) in the background and
 * returns once its API answers. */
export async function startController(
  home: string,
  name: string,
  timeoutMs = 20_000,
  member?: number,
): Promise<number> {
  const paths = processPaths(home, name, member);
  mkdirSync(dirname(paths.log), { recursive: true, mode: 0o700 });
  const log = openSync(paths.log, 'a', 0o600);
  const script = join(packageRoot(), 'dist', 'core', 'cli', 'rune.js');
  // Node flags for the controller alone (e.g. `--cpu-prof --cpu-prof-dir=DIR` while profiling a
  // bench): Node refuses the profiler flags in NODE_OPTIONS, and the CLI's own process should not
  // carry them.
  const nodeArgs = (process.env.RUNE_CONTROLLER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const argv = [...nodeArgs, script, 'controller', 'run', name];
  if (member !== undefined) argv.push('--member', String(member));
  const child = spawn(process.execPath, argv, {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, RUNE_HOME: home },
  });
  child.unref();
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  const client = new ApiClient(name, paths.socket);
  const result = await waitFor(
    `controller "${name}" to answer on ${paths.socket}`,
    async () => {
      // Exited because another controller took the store a moment before (two CLIs restarting
      // it at once): that one answers soon, and is as good.
      if (exited !== null && !probeStoreLock(paths.lock).held) return { exited };
      return { pid: (await client.ping(1000)).pid };
    },
    { timeoutMs },
  ).catch((e: unknown) => {
    throw new ControllerStartError(name, paths.log, e instanceof Error ? e.message : String(e));
  });
  if ('exited' in result) {
    throw new ControllerStartError(
      name,
      paths.log,
      `it exited with code ${result.exited}:\n${lastLines(paths.log, 5)}`,
    );
  }
  return result.pid;
}

/** The files of the controller's process, or of one member's. */
function processPaths(home: string, name: string, member?: number) {
  const base = controllerPaths(home, name);
  return member === undefined ? base : memberPaths(base, member);
}

/** The pid in the controller's (or member's) pid file, alive or not. */
export function recordedPid(home: string, name: string, member?: number): number | undefined {
  const file = processPaths(home, name, member).pid;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: alive, and someone else's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process in the controller's pid file is alive. */
export function controllerPid(home: string, name: string): number | undefined {
  const pid = recordedPid(home, name);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

/** Whether a controller (or member) that did not answer is gone or there and silent
 * (liveness.ts). */
export function silentController(home: string, name: string, member?: number): SilentVerdict {
  const pid = recordedPid(home, name, member);
  const alive = pid !== undefined && isAlive(pid);
  let isController: boolean | undefined;
  if (alive) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      isController = isControllerCommand(argv, name);
    } catch {
      isController = undefined;
    }
  }
  return judgeSilentController({
    lock: probeStoreLock(processPaths(home, name, member).lock),
    ...(pid === undefined ? {} : { recordedPid: pid }),
    recordedAlive: alive,
    ...(isController === undefined ? {} : { recordedIsController: isController }),
  });
}

/** Whether a process is stopped (SIGSTOP, or a debugger); false when it cannot be told. */
export function isStopped(pid: number): boolean {
  try {
    return processState(readFileSync(`/proc/${pid}/stat`, 'utf8')) === 'T';
  } catch {
    return false;
  }
}

/** The process holding a controller's store, or its recorded pid while that one lives. */
function holder(home: string, name: string, member?: number): number | undefined {
  const verdict = silentController(home, name, member);
  return verdict.kind === 'silent' ? verdict.pid : undefined;
}

/**
 * Ends a controller's process however it is, for destroy-controller, and resolves once no
 * process holds its store: after `askedToStop` (the API's shutdown) it waits for it to exit
 * on its own; then a SIGTERM (with SIGCONT: a stopped process never sees a signal but KILL
 * until it runs again), then SIGKILL. Returns how it ended.
 */
export async function endControllerProcess(
  home: string,
  name: string,
  options: { askedToStop: boolean; graceMs?: number; member?: number },
): Promise<'none' | 'exited' | 'killed'> {
  const graceMs = options.graceMs ?? 10_000;
  const { member } = options;
  const pid = holder(home, name, member);
  if (pid === undefined) return 'none';
  const exits = (ms: number) =>
    waitFor(
      `controller "${name}" (pid ${pid}) to exit`,
      () => holder(home, name, member) === undefined,
      {
        timeoutMs: ms,
      },
    ).then(
      () => true,
      () => false,
    );
  if (options.askedToStop && (await exits(3 * graceMs))) return 'exited';
  signalIfAlive(pid, 'SIGTERM');
  signalIfAlive(pid, 'SIGCONT');
  if (await exits(graceMs)) return 'exited';
  for (
    let left = holder(home, name, member);
    left !== undefined;
    left = holder(home, name, member)
  ) {
    signalIfAlive(left, 'SIGKILL');
    const killed = left;
    await waitFor(
      `controller "${name}" (pid ${killed}) to die of SIGKILL`,
      () => holder(home, name, member) !== killed,
      { timeoutMs: graceMs },
    );
  }
  return 'killed';
}

function signalIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: what the caller wanted.
  }
}
