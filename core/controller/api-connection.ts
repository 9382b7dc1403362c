// The API's transport for the CLI: requests over the controller's unix socket (or HTTPS to a
// remote controller's members), the exec stream, and the controller's errors rethrown as typed
// errors with its message. The verbs are ApiClient's (api-client.ts).
import { type ClientRequest, request, type RequestOptions } from 'node:http';
import { connect } from 'node:net';
import type { ApiErrorBody, ExecFrame } from './api.js';
import { ControllerRequestError, ControllerUnreachableError } from './errors.js';
import type { RuneError } from '../model/errors.js';
import { ControllerFilesError, NotRuneControllerError } from './access-errors.js';
import type * as TlsTransport from './tls-transport.js';

/** node:tls, loaded on a remote controller's first request: a local command never pays for it. */
type Transport = typeof TlsTransport;
let transport: Transport | undefined;
const loadTransport = async (): Promise<Transport> =>
  (transport ??= await import('./tls-transport.js'));
/** Every remote request awaits loadTransport() before it connects. */
function loaded(): Transport {
  if (transport === undefined) throw new Error('the TLS transport was not loaded first');
  return transport;
}

export class ApiConnection {
  /** Requests not answered yet, for abort(). */
  private readonly inFlight = new Set<ClientRequest>();

  /** Which of `remote.addresses` requests go to (the CLI follows the active member). */
  public address = 0;

  constructor(
    readonly controller: string,
    /** Another member's once the CLI fails over (a highly available controller). */
    public socket: string,
    /** A controller on another host: HTTPS to its addresses, its CA pinned, with a token. */
    public remote?: TlsTransport.RemoteTransport,
  ) {}

  /** Sends what follows where `other` does: another member of a highly available controller,
   * on this host (its socket) or on another (its API over TCP). */
  follow(other: ApiConnection): void {
    this.socket = other.socket;
    this.remote = other.remote;
    this.address = other.address;
  }

  /** Drops every request still waiting for its answer (each fails as unreachable). */
  abort(): void {
    for (const req of this.inFlight) req.destroy(new Error('request abandoned'));
  }

  /** Runs a command on a machine, handing output to the sinks as it arrives. */
  async exec(
    machine: string,
    command: string,
    sink: { out(chunk: Buffer): void; err(chunk: Buffer): void },
  ): Promise<number> {
    if (this.remote) await loadTransport();
    return new Promise((resolve, reject) => {
      const req = request(this.options('POST', '/v1/exec'), (res) => {
        let pending = '';
        let settled = false;
        const handle = (line: string) => {
          if (line === '') return;
          const frame = JSON.parse(line) as ExecFrame;
          if ('out' in frame) sink.out(Buffer.from(frame.out, 'base64'));
          else if ('err' in frame) sink.err(Buffer.from(frame.err, 'base64'));
          else if ('exit' in frame) {
            settled = true;
            resolve(frame.exit);
          } else {
            settled = true;
            reject(toError(frame.error));
          }
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          pending += chunk;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          lines.forEach(handle);
        });
        res.on('end', () => {
          handle(pending);
          if (!settled)
            reject(new ControllerUnreachableError(this.controller, 'exec stream ended early'));
        });
      });
      req.on('error', (e) => reject(this.unreachable(e)));
      req.end(JSON.stringify({ machine, command }));
    });
  }

  protected json<T>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    return this.ask<T>(method, path, body, timeoutMs);
  }

  /** A text answer (text/plain) as it came; an error still arrives as JSON. */
  protected text(path: string): Promise<string> {
    return this.ask<string>('GET', path, undefined, undefined, true);
  }

  private async ask<T>(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = 120_000,
    asText = false,
  ): Promise<T> {
    if (this.remote) await loadTransport();
    return new Promise((resolve, reject) => {
      const req = request(this.options(method, path, timeoutMs), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const answer = Buffer.concat(chunks).toString('utf8');
          if (
            asText &&
            res.statusCode === 200 &&
            /^text\/plain\b/.test(res.headers['content-type'] ?? '')
          ) {
            resolve(answer as T);
            return;
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(answer);
          } catch {
            reject(
              this.remote
                ? new NotRuneControllerError(
                    this.controller,
                    this.remoteAddress(),
                    "it answered HTTPS, but not as Rune's API",
                  )
                : new ControllerUnreachableError(
                    this.controller,
                    'it answered with something other than JSON',
                  ),
            );
            return;
          }
          const error = (parsed as { error?: ApiErrorBody }).error;
          if (error) reject(toError(error));
          else resolve(parsed as T);
        });
      });
      this.inFlight.add(req);
      req.on('close', () => this.inFlight.delete(req));
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (e) => reject(this.unreachable(e)));
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** A connection of its own to the socket, without http's agent: the agent's host-name checks
   * (for TLS, of no use on a unix socket) cost a short command like `rune status` ~7 ms. The
   * socket is given the timeout as the agent would give it (http only listens for it). */
  private options(method: string, path: string, timeout?: number): RequestOptions {
    const limit = timeout === undefined ? {} : { timeout };
    if (this.remote) {
      const request = { method, path, ...limit };
      return loaded().remoteRequest(this.controller, this.remoteAddress(), this.remote, request);
    }
    return {
      method,
      path,
      ...limit,
      createConnection: () => connect({ path: this.socket, ...limit }),
    };
  }

  /** Refuses, before anything is sent, a request whose paths mean files on this host. */
  protected localFiles(what: string): void {
    if (this.remote && !this.remote.sameFiles)
      throw new ControllerFilesError(this.controller, what);
  }

  /** The address requests go to now. */
  remoteAddress(): string {
    return this.remote?.addresses[this.address] ?? '';
  }

  private unreachable(e: Error): RuneError {
    if (this.remote) return loaded().connectionError(this.controller, this.remoteAddress(), e);
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'it is not running'
        : code === 'ECONNREFUSED'
          ? 'it is not running'
          : e.message;
    return new ControllerUnreachableError(this.controller, reason);
  }
}

function toError(body: ApiErrorBody): ControllerRequestError {
  return new ControllerRequestError(body.kind, body.type, body.message);
}
