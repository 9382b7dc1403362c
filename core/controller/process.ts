// Starting and stopping a controller's process on this host: `rune bootstrap` and the CLI's
// restart of a dead controller start `rune controller run NAME` detached, logging to a file.
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../charm/package-root.js';
import { RuneError } from '../model/errors.js';
import { ApiClient } from './api-client.js';
import { controllerPaths } from './paths.js';
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

/** Starts the controller in the background and returns once its API answers. */
export async function startController(
  home: string,
  name: string,
  timeoutMs = 20_000,
): Promise<number> {
  const paths = controllerPaths(home, name);
  const log = openSync(paths.log, 'a', 0o600);
  const script = join(packageRoot(), 'dist', 'core', 'cli', 'rune.js');
  const child = spawn(process.execPath, [script, 'controller', 'run', name], {
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
    async () => (exited !== null ? { exited } : { pid: (await client.ping(1000)).pid }),
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

/** Whether the process in the controller's pid file is alive. */
export function controllerPid(home: string, name: string): number | undefined {
  const file = controllerPaths(home, name).pid;
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}
