// What the scale benches read of processes: a `rune` command's wall time as its own process (as
// a user runs it), and a process's resident memory from /proc.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const TICK_MS = 10; // Linux's USER_HZ is 100 everywhere Node runs

/** CPU time (user + system) from a /proc stat file, ms. */
function statCpuMs(file: string): number {
  const stat = readFileSync(file, 'utf8');
  // Fields after the command name (which may hold spaces), from its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** A process's CPU time so far (user + system), ms. */
export function cpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** The CPU time of a Node process's main thread (its event loop: the controller's own work and
 * the charms' hook code), ms; the rest of cpuMs is its other threads' (libuv's pool, where
 * easyrsa generates RSA keys, and V8's helpers). Threads that ended are not counted. */
export function mainThreadCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** `rune ARGS` as its own process against RUNE_HOME `home`: median wall time of `runs`. */
export function timedProcess(home: string, args: string[], runs: number): number {
  const cli = resolve('dist/core/cli/rune.js');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [cli, ...args], {
      env: { ...process.env, RUNE_HOME: home },
      stdio: ['ignore', 'ignore', 'inherit'],
      maxBuffer: 1 << 30,
    });
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** `node -e 0` as its own process, median of `runs`: the floor under any `rune` command's wall
 * time on this host (Node's own start), printed beside the status figures. */
export function nodeStartMs(runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    times.push(performance.now() - t0);
  }
  return median(times);
}
