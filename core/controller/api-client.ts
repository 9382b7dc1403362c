// The CLI's side of the API: JSON requests over the controller's unix socket, the exec stream,
// and the controller's errors rethrown as typed errors with its message.
import type { PolicyFlags } from './rollout-policy.js';
import type { RolloutPolicyView, SetRolloutPolicyRequest } from './rollout-settings.js';
import type { RolloutRecord } from '../store/types.js';
import type { RefreshRequest, RefreshResponse } from './refresh.js';
import type { HistoryResponse } from './history-view.js';
import type { RollbackRequest, RollbackResponse } from './rollback.js';
import type { StatusLogRequest, StatusLogResponse } from './status-log-view.js';
import { type ClientRequest, request, type RequestOptions } from 'node:http';
import { connect } from 'node:net';
import type { ActionRecord, HookLogEntry } from '../store/types.js';
import type {
  ActionRequest,
  AddUserResponse,
  DashboardLoginResponse,
  Attached,
  AttachRequest,
  ConfigOptionView,
  AddUnitsRequest,
  DeployRequest,
  DeployResponse,
  DiffBundleRequest,
  DiffBundleResponse,
  ExportBundleRequest,
  ExportBundleResponse,
  AddMachinesRequest,
  AddMachinesResponse,
  ApiErrorBody,
  ChangesResponse,
  ExecFrame,
  PingResponse,
  RegisterResponse,
  SimulateRequest,
  SshAccess,
  StatusResponse,
} from './api.js';
import { MAX_CHANGES_WAIT_MS } from './api.js';
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

export class ApiClient {
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
  follow(other: ApiClient): void {
    this.socket = other.socket;
    this.remote = other.remote;
    this.address = other.address;
  }

  /** Drops every request still waiting for its answer (each fails as unreachable). */
  abort(): void {
    for (const req of this.inFlight) req.destroy(new Error('request abandoned'));
  }

  ping(timeoutMs = 2000): Promise<PingResponse> {
    return this.json('GET', '/v1/ping', undefined, timeoutMs);
  }

  /** Without `probe`, machines show what the last probe saw: for callers that poll. With
   * `patterns`, only what they name (`rune status etcd/0`), filtered by the controller. */
  async status(probe = true, patterns: readonly string[] = []): Promise<StatusResponse> {
    const path = probe ? '/v1/status' : '/v1/status?probe=false';
    // Names hold no commas: a pattern that does (or is empty) matches nothing either way, and
    // is left to the CLI's own pass of the filter rather than sent split.
    if (patterns.length === 0 || patterns.some((p) => p === '' || p.includes(',')))
      return this.json('GET', path);
    const filter = `filter=${encodeURIComponent(patterns.join(','))}`;
    try {
      return await this.json('GET', `${path}${probe ? '?' : '&'}${filter}`);
    } catch (e) {
      // A controller started before filters existed refuses the field: the whole model, then.
      if (e instanceof ControllerRequestError && /\bfilter: is not a field\b/.test(e.message))
        return this.json('GET', path);
      throw e;
    }
  }

  addMachines(body: AddMachinesRequest): Promise<AddMachinesResponse> {
    return this.json('POST', '/v1/machines', body);
  }

  async removeMachine(id: string, force: boolean): Promise<void> {
    await this.json('DELETE', `/v1/machines/${encodeURIComponent(id)}?force=${force}`);
  }

  async sshAccess(id: string): Promise<SshAccess> {
    this.localFiles("rune ssh's key (the controller's own)");
    return this.json('GET', `/v1/machines/${encodeURIComponent(id)}/ssh`);
  }

  async deploy(body: DeployRequest): Promise<DeployResponse> {
    this.localFiles('a bundle (its path and its local charms)');
    return this.json('POST', '/v1/deploy', body, 600_000);
  }

  exportBundle(body: ExportBundleRequest): Promise<ExportBundleResponse> {
    return this.json('POST', '/v1/export-bundle', body);
  }

  async diffBundle(body: DiffBundleRequest): Promise<DiffBundleResponse> {
    this.localFiles('a bundle (its path and its local charms)');
    return this.json('POST', '/v1/diff-bundle', body);
  }

  addUnits(body: AddUnitsRequest): Promise<{ units: string[] }> {
    return this.json('POST', '/v1/units', body, 600_000);
  }

  relate(a: string, b: string): Promise<{ relation: string }> {
    return this.json('POST', '/v1/relations', { a, b });
  }

  async refresh(request: RefreshRequest): Promise<RefreshResponse> {
    if (request.path !== undefined) this.localFiles('a charm folder given by path');
    return this.json('POST', '/v1/refresh', request);
  }

  async resolve(unit: string, retry: boolean): Promise<void> {
    await this.json('POST', '/v1/resolve', { unit, retry });
  }

  run(request: ActionRequest): Promise<{ id: number; unit: string }> {
    return this.json('POST', '/v1/actions', request);
  }

  action(id: number): Promise<ActionRecord> {
    return this.json('GET', `/v1/actions/${id}`);
  }

  async attachResources(request: AttachRequest): Promise<{ attached: Attached[] }> {
    this.localFiles('a resource file');
    // Copying a large binary into the controller's folder takes a while.
    return this.json('POST', '/v1/resources', request, 300_000);
  }

  async removeUnits(units: string[], force: boolean): Promise<void> {
    await this.json('POST', '/v1/remove-units', { units, force });
  }

  async removeApplication(application: string, force: boolean): Promise<void> {
    await this.json('POST', '/v1/remove-application', { application, force });
  }

  removeRelation(a: string, b: string): Promise<{ relation: string }> {
    return this.json('POST', '/v1/remove-relation', { a, b });
  }

  config(application: string): Promise<{ options: Record<string, ConfigOptionView> }> {
    return this.json('GET', `/v1/config?application=${encodeURIComponent(application)}`);
  }

  async setConfig(
    application: string,
    values: Record<string, string>,
    reset: string[],
    policy?: PolicyFlags,
  ): Promise<void> {
    await this.json('POST', '/v1/config', {
      application,
      values,
      reset,
      ...(policy === undefined ? {} : { policy }),
    });
  }

  rollouts(): Promise<{ rollouts: RolloutRecord[] }> {
    return this.json('GET', '/v1/rollouts');
  }

  async simulate(request: SimulateRequest): Promise<void> {
    await this.json('POST', '/v1/sim', request);
  }

  rollout(application: string, action: 'resume' | 'abort'): Promise<{ rollouts: RolloutRecord[] }> {
    return this.json('POST', '/v1/rollout', { application, action });
  }

  rolloutPolicy(application: string): Promise<{ policy: RolloutPolicyView }> {
    return this.json('GET', `/v1/rollout-policy?application=${encodeURIComponent(application)}`);
  }

  async setRolloutPolicy(request: SetRolloutPolicyRequest): Promise<void> {
    await this.json('POST', '/v1/rollout-policy', request);
  }

  history(application?: string): Promise<HistoryResponse> {
    const query =
      application === undefined ? '' : `?application=${encodeURIComponent(application)}`;
    return this.json('GET', `/v1/history${query}`);
  }

  statusLog(request: StatusLogRequest): Promise<StatusLogResponse> {
    const query = new URLSearchParams({ entity: request.entity });
    if (request.type !== undefined) query.set('type', request.type);
    if (request.limit !== undefined) query.set('limit', String(request.limit));
    return this.json('GET', `/v1/status-log?${query.toString()}`);
  }

  rollback(request: RollbackRequest): Promise<RollbackResponse> {
    return this.json('POST', '/v1/rollback', request);
  }

  modelConfig(): Promise<{
    settings: Record<string, { value: string; source: 'default' | 'user'; description: string }>;
  }> {
    return this.json('GET', '/v1/model-config');
  }

  async setModelConfig(values: Record<string, string>): Promise<void> {
    await this.json('POST', '/v1/model-config', values);
  }

  pending(): Promise<{ units: string[]; deploying: boolean }> {
    return this.json('GET', '/v1/pending');
  }

  /**
   * Resolves once the controller's model has changed since generation `after` (-1: at once, with
   * the current generation), or after about `timeoutMs` with no change (the server caps it).
   */
  waitForChange(after: number, timeoutMs: number): Promise<ChangesResponse> {
    // The request's own timeout must outlast the wait it asks the server for.
    return this.json(
      'GET',
      `/v1/changes?after=${after}&timeoutMs=${Math.max(0, Math.round(timeoutMs))}`,
      undefined,
      Math.min(timeoutMs, MAX_CHANGES_WAIT_MS) + 10_000,
    );
  }

  hookLog(after = 0): Promise<{ entries: HookLogEntry[] }> {
    return this.json('GET', `/v1/hooks?after=${after}`);
  }

  /** Adds a user (or a new registration string for one); over the unix socket only. */
  addUser(user: string, ttlMs?: number): Promise<AddUserResponse> {
    return this.json('POST', '/v1/users', { user, ...(ttlMs === undefined ? {} : { ttlMs }) });
  }

  /** The dashboard's address and a one-time login link for it. */
  dashboardLogin(): Promise<DashboardLoginResponse> {
    return this.json('POST', '/v1/dashboard');
  }

  /** Swaps a registration string's secret for a session token (TCP, before any token). */
  register(secret: string): Promise<RegisterResponse> {
    return this.json('POST', '/v1/register', { secret });
  }

  /** Revokes this client's token on the controller. */
  async logout(): Promise<void> {
    await this.json('POST', '/v1/logout');
  }

  async shutdown(destroy: boolean): Promise<void> {
    await this.json('POST', '/v1/shutdown', { destroy }, 300_000);
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

  private async json<T>(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = 120_000,
  ): Promise<T> {
    if (this.remote) await loadTransport();
    return new Promise((resolve, reject) => {
      const req = request(this.options(method, path, timeoutMs), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
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
  private localFiles(what: string): void {
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
