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

/** The CLI as another RUNE_HOME's user runs it (a controller's host, or a remote operator's
 * machine), the tests' own RUNE_HOME put back after. */
export async function runCliAs(home: string, ...argv: string[]): Promise<CliRun> {
  const previous = process.env.RUNE_HOME;
  process.env.RUNE_HOME = home;
  try {
    return await runCli(...argv);
  } finally {
    if (previous === undefined) delete process.env.RUNE_HOME;
    else process.env.RUNE_HOME = previous;
  }
}
