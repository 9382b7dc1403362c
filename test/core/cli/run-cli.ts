// Runs the CLI in-process with captured output, for tests.
import { main } from '../../../core/cli/main.js';

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
  /** Raw bytes written by commands that pass remote output through (rune exec). */
  stdout: Buffer;
  stderr: Buffer;
}

export async function runCli(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const rawOut: Buffer[] = [];
  const rawErr: Buffer[] = [];
  const code = await main(argv, {
    out: (line) => out.push(...line.split('\n')),
    err: (line) => err.push(...line.split('\n')),
    outRaw: (chunk) => rawOut.push(chunk),
    errRaw: (chunk) => rawErr.push(chunk),
  });
  return { code, out, err, stdout: Buffer.concat(rawOut), stderr: Buffer.concat(rawErr) };
}
