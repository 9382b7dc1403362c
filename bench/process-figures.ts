// What the scale benches read of processes: a `rune` command's wall time as its own process (as
// a user runs it), and a process's resident memory from /proc.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

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
