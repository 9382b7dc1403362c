// Where a command writes: standard output and error in the real CLI, arrays in tests. Lines for
// messages; raw chunks for remote output that must pass through byte for byte (rune exec).

export interface Io {
  out(line: string): void;
  err(line: string): void;
  outRaw(chunk: Buffer): void;
  errRaw(chunk: Buffer): void;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  outRaw: (chunk) => process.stdout.write(chunk),
  errRaw: (chunk) => process.stderr.write(chunk),
};
