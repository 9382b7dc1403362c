// Running host commands for the local provider: execFile only (argv, never a shell string built
// from input), with failures turned into CommandFailedError carrying the stderr.
import { execFile } from 'node:child_process';
import { CommandFailedError } from './errors.js';

export interface RunResult {
  stdout: string;
  stderr: string;
}

export type Run = (
  file: string,
  args: readonly string[],
  options?: { env?: NodeJS.ProcessEnv; input?: string },
) => Promise<RunResult>;

/** Runs `file args`; rejects with CommandFailedError on a non-zero exit. */
export const run: Run = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException & { code?: number | string }).code;
          reject(new CommandFailedError([file, ...args], code, stderr || error.message));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
