// The wire protocol of the persistent shell session (DESIGN §5), pure: the script sent for each
// command and the parser that cuts its stdout and stderr back out of the session's two streams.
//
// Why per-command nonces rather than length prefixes: a length prefix needs the whole output
// first (a temp file, then `wc -c` and `cat` — three more processes per command, and the ~2 ms
// budget is mostly process starts), while a nonce lets output stream straight through. Each
// command gets a fresh 96-bit random nonce that exists only in the script the shell has already
// read, so no output can contain it by accident, and printing an old one does not matter. Each
// stream is framed `<junk> N< body N>` (stdout then adds `<exit code>\n`): the start mark discards
// anything a previous command's stray background process wrote between commands.
import { randomBytes } from 'node:crypto';
import { shellQuote } from '../../core/charm/shell.js';

export function newNonce(): string {
  // `_` is outside base64's alphabet, so the nonce can also close a heredoc of base64 lines.
  return `R_${randomBytes(12).toString('hex')}`;
}

/** Sent once when the session shell starts; its echo proves the shell (and sudo) runs. */
export function helloScript(nonce: string): string {
  return `mkdir -p /run/rune 2>/dev/null; printf '%s\\n' '${nonce}'\n`;
}

/**
 * The script for one command. It runs in its own session (`setsid`) so a timeout can kill it
 * with all its children by process group, and writes that group's id with the nonce to
 * `pidFile` so a kill never hits a later command. Its stdin is /dev/null or the given bytes,
 * never the session's own input.
 */
export function commandScript(
  nonce: string,
  command: string,
  pidFile: string,
  stdin?: Buffer,
): string {
  const child =
    `setsid /bin/sh -c '{ echo "$$ ${nonce}" >${pidFile}; } 2>/dev/null; c=$1; shift; eval "$c"'` +
    ` rune ${shellQuote(command)}`;
  const start = `printf %s '${nonce}<'; printf %s '${nonce}<' >&2; `;
  const end = ` wait $!; printf '${nonce}>%d\\n' $?; printf %s '${nonce}>' >&2\n`;
  if (stdin === undefined) return `${start}${child} </dev/null &${end}`;
  const lines = stdin.toString('base64').replace(/.{1,76}/g, '$&\n');
  return `${start}base64 -d <<'${nonce}' | ${child} &${end}${lines}${nonce}\n`;
}

/** Kills the command that `commandScript(nonce, ...)` started, if it still runs. */
export function killScript(nonce: string, pidFile: string): string {
  // The pid file may not be written yet when a very short timeout fires: look for a while.
  return (
    `i=0; while [ $i -lt 100 ]; do read p n <${pidFile} 2>/dev/null; ` +
    `[ "$n" = '${nonce}' ] && { kill -KILL -- "-$p"; exit 0; }; i=$((i+1)); sleep 0.05; done`
  );
}

/** Finds a marker in a stream fed in chunks: bytes before it are body, bytes after are rest. */
export class MarkerScanner {
  private held: Buffer = Buffer.alloc(0);

  constructor(private readonly marker: Buffer) {}

  push(chunk: Buffer): { body: Buffer; rest?: Buffer } {
    const data = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    const at = data.indexOf(this.marker);
    if (at >= 0) {
      this.held = Buffer.alloc(0);
      return { body: data.subarray(0, at), rest: data.subarray(at + this.marker.length) };
    }
    // Hold back only what could still turn out to be the marker's beginning.
    const keep = partialMatch(data, this.marker);
    this.held = Buffer.from(data.subarray(data.length - keep));
    return { body: data.subarray(0, data.length - keep) };
  }
}

/** Length of the longest suffix of `data` that is a proper prefix of `marker`. */
function partialMatch(data: Buffer, marker: Buffer): number {
  for (let n = Math.min(marker.length - 1, data.length); n > 0; n--) {
    if (data.subarray(data.length - n).equals(marker.subarray(0, n))) return n;
  }
  return 0;
}

type Phase = 'start' | 'body' | 'code' | 'done';

/** One command's frame on one stream: stdout carries the exit code, stderr does not. */
export class FrameParser {
  private phase: Phase = 'start';
  private readonly startScanner: MarkerScanner;
  private readonly endScanner: MarkerScanner;
  private readonly chunks: Buffer[] = [];
  private codeText = '';
  private exitCode: number | undefined;

  constructor(
    nonce: string,
    private readonly withCode: boolean,
  ) {
    this.startScanner = new MarkerScanner(Buffer.from(`${nonce}<`));
    this.endScanner = new MarkerScanner(Buffer.from(`${nonce}>`));
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /** The exit code (stdout frame only), once done. */
  get code(): number | undefined {
    return this.exitCode;
  }

  body(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Feeds a chunk; returns true once the frame is complete. Bytes after it are stray. */
  push(chunk: Buffer): boolean {
    let rest: Buffer | undefined = chunk;
    while (rest !== undefined && rest.length > 0 && this.phase !== 'done') {
      if (this.phase === 'start') {
        rest = this.startScanner.push(rest).rest;
        if (rest !== undefined) this.phase = 'body';
      } else if (this.phase === 'body') {
        const found: { body: Buffer; rest?: Buffer } = this.endScanner.push(rest);
        if (found.body.length > 0) this.chunks.push(Buffer.from(found.body));
        rest = found.rest;
        if (rest !== undefined) this.phase = this.withCode ? 'code' : 'done';
      } else {
        const nl = rest.indexOf(0x0a);
        this.codeText += rest.subarray(0, nl < 0 ? rest.length : nl).toString('latin1');
        if (nl < 0) break;
        this.exitCode = Number.parseInt(this.codeText, 10);
        this.phase = 'done';
      }
    }
    return this.phase === 'done';
  }
}
