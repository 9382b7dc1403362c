// RemoteMachine over SSH (DESIGN §5): short commands on the persistent shell session, streaming
// ones on their own exec channel, atomic file writes, cached facts. `connectMachine` connects
// eagerly so a refused key, changed host key or sudo password surfaces at once, typed.
import { shellQuote } from '../../core/charm/shell.js';
import { abortReason } from './backoff.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { CommandTimeoutError, RemoteFileError, SessionLostError } from './errors.js';
import { FACTS_COMMAND, parseFacts } from './facts.js';
import { fileWritesScript, readFileWrites, tempNameBeside } from './file-writes.js';
import { killScript, newNonce } from './framing.js';
import { ShellSession } from './shell-session.js';
import type {
  CommandResult,
  FileWrite,
  HostKeyPolicy,
  MachineFacts,
  RemoteMachine,
  RunOptions,
  SshTarget,
  StreamSink,
  WriteFileOptions,
} from '../../core/model/machine.js';

export type ConnectMachineOptions = ConnectionOptions;

export interface ConnectedMachine extends RemoteMachine {
  /** The host key's fingerprint: the pinned one, or the one seen on first contact to record. */
  readonly hostKey: string;
  /** The host key itself (`ssh-ed25519 AAAA...`), for `rune ssh`'s known_hosts. */
  readonly hostPublicKey: string;
}

export async function connectMachine(
  target: SshTarget,
  policy: HostKeyPolicy,
  options: ConnectMachineOptions = {},
): Promise<ConnectedMachine> {
  const conn = new Connection(target, policy, options);
  const session = new ShellSession(conn);
  try {
    await conn.client();
    await session.open();
  } catch (err) {
    await conn.close();
    throw err;
  }
  return new SshMachine(conn, session);
}

class SshMachine implements ConnectedMachine {
  private factsCache: Promise<MachineFacts> | undefined;

  constructor(
    private readonly conn: Connection,
    private readonly session: ShellSession,
  ) {}

  get hostKey(): string {
    return this.conn.hostKey ?? '';
  }

  get hostPublicKey(): string {
    return this.conn.hostPublicKey ?? '';
  }

  run(command: string, options?: RunOptions): Promise<CommandResult> {
    return this.session.run(command, options);
  }

  async stream(command: string, sink: StreamSink, options: RunOptions = {}): Promise<number> {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) throw abortReason(signal);
    const host = this.conn.target.host;
    // Its own session (setsid -w) so a timeout kills the command's whole process group; the
    // pid file tells the killer which group that is.
    const nonce = newNonce();
    const pidFile = `/run/rune/stream-${nonce}.pid`;
    const inner = `{ echo "$$ ${nonce}" >${pidFile}; } 2>/dev/null; c=$1; shift; eval "$c"`;
    const wrapper =
      `mkdir -p /run/rune 2>/dev/null; setsid -w /bin/sh -c ${shellQuote(inner)} rune ` +
      `${shellQuote(command)}${options.stdin === undefined ? ' </dev/null' : ''}; ` +
      `c=$?; rm -f ${pidFile}; exit $c`;
    const channel = await this.conn.exec(this.session.asRoot(wrapper));
    return new Promise<number>((resolve, reject) => {
      let failure: Error | undefined;
      let code: number | undefined;
      const kill = (why: Error) => {
        if (failure) return;
        failure = why;
        this.conn
          .exec(this.session.asRoot(killScript(nonce, pidFile)))
          .then((killer) => {
            killer.resume();
            killer.stderr.resume();
            killer.end();
          })
          .catch(() => channel.close());
      };
      const onAbort = () => kill(abortReason(signal));
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => kill(new CommandTimeoutError(host, command, timeoutMs)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      channel.on('data', (chunk: Buffer) => sink.stdout(chunk));
      channel.stderr.on('data', (chunk: Buffer) => sink.stderr(chunk));
      channel.on('exit', (exitCode: number | null, signalName?: string) => {
        code = exitCode ?? 128 + signalNumber(signalName);
      });
      channel.on('close', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (failure) reject(failure);
        else if (code === undefined) {
          reject(new SessionLostError(host, command, 'the channel closed without an exit status'));
        } else resolve(code);
      });
      if (options.stdin === undefined) channel.end();
      else channel.end(options.stdin);
    });
  }

  async writeFile(
    path: string,
    data: Buffer | string,
    options: WriteFileOptions = {},
  ): Promise<void> {
    await this.writeFiles([{ ...options, path, data }]);
  }

  async writeFiles(files: readonly FileWrite[]): Promise<boolean[]> {
    const host = this.conn.target.host;
    const relative = files.find((f) => !f.path.startsWith('/'));
    if (relative !== undefined) {
      throw new RemoteFileError(host, relative.path, 'write', 'the path must be absolute');
    }
    if (files.length === 0) return [];
    const { script, stdin } = fileWritesScript(files, tempNameBeside);
    const result = await this.run(script, { stdin });
    const changed = readFileWrites(result.stdout.toString('utf8'), files.length);
    const failed = changed.findIndex((c) => c === undefined);
    if (failed >= 0 || result.code !== 0) {
      const path = files[failed >= 0 ? failed : files.length - 1]?.path ?? '';
      const detail = stderrText(result) || `exit code ${result.code}`;
      throw new RemoteFileError(host, path, 'write', detail);
    }
    return changed.map((c) => c === true);
  }

  async readFile(path: string): Promise<Buffer> {
    const result = await this.run(`cat -- ${shellQuote(path)}`);
    if (result.code !== 0) {
      const detail = stderrText(result) || `exit code ${result.code}`;
      throw new RemoteFileError(this.conn.target.host, path, 'read', detail);
    }
    return result.stdout;
  }

  facts(): Promise<MachineFacts> {
    this.factsCache ??= this.run(FACTS_COMMAND).then((r) => parseFacts(r.stdout.toString('utf8')));
    // A failed gathering is not cached: the next call tries again.
    this.factsCache.catch(() => {
      this.factsCache = undefined;
    });
    return this.factsCache;
  }

  async close(): Promise<void> {
    await this.session.close().catch(() => undefined);
    await this.conn.close();
  }
}

function stderrText(result: CommandResult): string {
  return result.stderr.toString('utf8').trim().split('\n').slice(-3).join('; ');
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, PIPE: 13, TERM: 15 };

function signalNumber(name: string | undefined): number {
  return name === undefined ? 0 : (SIGNALS[name.replace(/^SIG/, '')] ?? 0);
}
