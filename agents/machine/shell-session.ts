// The persistent shell session (DESIGN §5): one long-lived `sh` on one channel per machine, fed
// one framed command at a time. An exec channel costs ~140 ms; a command here costs ~2 ms.
// Commands are queued; a timed-out one is killed by process group and the session carries on.
import type { ClientChannel } from 'ssh2';
import { shellQuote } from '../../core/charm/shell.js';
import { abortReason } from './backoff.js';
import type { Connection } from './connection.js';
import { CommandTimeoutError, SessionLostError, SudoPasswordError } from './errors.js';
import { FrameParser, commandScript, helloScript, killScript, newNonce } from './framing.js';
import type { CommandResult, RunOptions } from '../../core/model/machine.js';

/** After a kill, how long the killed command's frame may take before the session is dropped. */
const KILL_GRACE_MS = 10_000;

interface InFlight {
  command: string;
  stdout: FrameParser;
  stderr: FrameParser;
  finish(err?: Error): void;
}

interface OpenSession {
  channel: ClientChannel;
  pidFile: string;
  inFlight: InFlight | undefined;
}

export class ShellSession {
  private session: OpenSession | undefined;
  private opening: Promise<OpenSession> | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly conn: Connection) {
    conn.onLost(() => this.lose('the connection closed'));
  }

  private get host(): string {
    return this.conn.target.host;
  }

  /** Non-root users reach root through `sudo -n`; root needs no wrapper. */
  asRoot(script: string): string {
    return this.conn.target.user === 'root' ? script : `sudo -n /bin/sh -c ${shellQuote(script)}`;
  }

  /** Opens the session now rather than on first command, so sudo problems surface at connect. */
  async open(): Promise<void> {
    await this.ensureOpen();
  }

  run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    const task = this.tail.then(() => this.execute(command, options));
    this.tail = task.catch(() => undefined);
    return task;
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    await new Promise<void>((resolve) => {
      session.channel.once('close', () => resolve());
      session.channel.end(`rm -f ${session.pidFile}; exit 0\n`);
    });
  }

  private ensureOpen(): Promise<OpenSession> {
    if (this.closed) return Promise.reject(new SessionLostError(this.host, undefined, 'closed'));
    if (this.session) return Promise.resolve(this.session);
    this.opening ??= this.start().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async start(): Promise<OpenSession> {
    const { user } = this.conn.target;
    const channel = await this.conn.exec(user === 'root' ? 'exec /bin/sh' : 'exec sudo -n /bin/sh');
    const hello = newNonce();
    const session: OpenSession = {
      channel,
      pidFile: `/run/rune/session-${hello}.pid`,
      inFlight: undefined,
    };
    await new Promise<void>((resolve, reject) => {
      let out = '';
      let err = '';
      const onOut = (chunk: Buffer) => {
        out += chunk.toString('latin1');
        if (out.includes(hello)) {
          channel.off('data', onOut);
          channel.stderr.off('data', onErr);
          channel.off('close', onClose);
          resolve();
        }
      };
      const onErr = (chunk: Buffer) => {
        err += chunk.toString('utf8');
      };
      const onClose = () => {
        if (user !== 'root' && /password/i.test(err))
          reject(new SudoPasswordError(user, this.host));
        else reject(new SessionLostError(this.host, undefined, err.trim() || 'the shell exited'));
      };
      channel.on('data', onOut);
      channel.stderr.on('data', onErr);
      channel.on('close', onClose);
      channel.write(helloScript(hello));
    });
    channel.on('data', (chunk: Buffer) => this.feed(session, chunk, 'stdout'));
    channel.stderr.on('data', (chunk: Buffer) => this.feed(session, chunk, 'stderr'));
    // The shell's exit status arrives before 'close', which waits until every process holding
    // the channel's stdout (a command's leftover children) has let go of it.
    channel.on('exit', () => {
      if (this.session === session) this.lose('the session shell exited');
    });
    channel.on('close', () => {
      if (this.session === session) this.session = undefined;
      session.inFlight?.finish(
        new SessionLostError(this.host, session.inFlight.command, 'the channel closed'),
      );
    });
    if (this.closed) {
      channel.end('exit 0\n');
      throw new SessionLostError(this.host, undefined, 'closed');
    }
    this.session = session;
    return session;
  }

  private feed(session: OpenSession, chunk: Buffer, stream: 'stdout' | 'stderr'): void {
    const inFlight = session.inFlight;
    // Bytes between commands come from stray background processes: nobody asked for them.
    if (!inFlight) return;
    inFlight[stream].push(chunk);
    if (inFlight.stdout.done && inFlight.stderr.done) inFlight.finish();
  }

  private lose(reason: string): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    session.inFlight?.finish(new SessionLostError(this.host, session.inFlight.command, reason));
    session.channel.close();
  }

  private async execute(command: string, options: RunOptions): Promise<CommandResult> {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) throw abortReason(signal);
    const session = await this.ensureOpen();
    const nonce = newNonce();
    const stdin =
      options.stdin === undefined
        ? undefined
        : typeof options.stdin === 'string'
          ? Buffer.from(options.stdin)
          : options.stdin;
    return new Promise<CommandResult>((resolve, reject) => {
      let failure: Error | undefined;
      let timer: NodeJS.Timeout | undefined;
      let grace: NodeJS.Timeout | undefined;
      const inFlight: InFlight = {
        command,
        stdout: new FrameParser(nonce, true),
        stderr: new FrameParser(nonce, false),
        finish: (err) => {
          if (session.inFlight !== inFlight) return;
          session.inFlight = undefined;
          clearTimeout(timer);
          clearTimeout(grace);
          signal?.removeEventListener('abort', onAbort);
          const code = inFlight.stdout.code;
          const problem = failure ?? err;
          if (problem) reject(problem);
          else if (code === undefined || Number.isNaN(code)) {
            reject(new SessionLostError(this.host, command, 'the result frame was malformed'));
          } else {
            resolve({ code, stdout: inFlight.stdout.body(), stderr: inFlight.stderr.body() });
          }
        },
      };
      const kill = (why: Error) => {
        if (failure) return;
        failure = why;
        this.kill(nonce, session.pidFile);
        // If the frame never comes back the shell itself is stuck: drop it, the next command
        // opens a fresh one.
        grace = setTimeout(() => {
          if (this.session === session) this.lose('the killed command did not end');
          else inFlight.finish();
        }, KILL_GRACE_MS);
      };
      const onAbort = () => kill(abortReason(signal));
      session.inFlight = inFlight;
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => kill(new CommandTimeoutError(this.host, command, timeoutMs)),
          timeoutMs,
        );
      }
      session.channel.write(commandScript(nonce, command, session.pidFile, stdin));
    });
  }

  /** Kills by process group from a separate exec channel: the session itself is busy waiting. */
  private kill(nonce: string, pidFile: string): void {
    this.conn
      .exec(this.asRoot(killScript(nonce, pidFile)))
      .then((channel) => {
        channel.resume();
        channel.stderr.resume();
        channel.end();
      })
      .catch(() => {
        // The grace timer drops the session if the command cannot be killed.
      });
  }
}
