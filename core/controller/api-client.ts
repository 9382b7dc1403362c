// The CLI's side of the API: one method per verb, each a request over ApiConnection (the
// socket or TLS transport, the exec stream, typed errors).
import type { PolicyFlags } from './rollout-policy.js';
import type { RolloutPolicyView, SetRolloutPolicyRequest } from './rollout-settings.js';
import type { RolloutRecord } from '../store/types.js';
import type { RefreshRequest, RefreshResponse } from './refresh.js';
import type { HistoryResponse } from './history-view.js';
import type { RollbackRequest, RollbackResponse } from './rollback.js';
import type { StatusLogRequest, StatusLogResponse } from './status-log-view.js';
import type { StatusTextRequest } from './status-text.js';
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
  ChangesResponse,
  PingResponse,
  RegisterResponse,
  SimulateRequest,
  SshAccess,
  StatusResponse,
} from './api.js';
import { MAX_CHANGES_WAIT_MS } from './api.js';
import { ControllerRequestError } from './errors.js';
import { ApiConnection } from './api-connection.js';

export class ApiClient extends ApiConnection {
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

  /** `rune status` as the controller renders it (statusText, cached per model change), or
   * undefined from a controller older than that, which the caller formats itself. */
  async statusText(request: StatusTextRequest): Promise<string | undefined> {
    // As status(): patterns the query cannot carry are left to the CLI's own filter.
    if (request.patterns.some((p) => p === '' || p.includes(','))) return undefined;
    const query = new URLSearchParams({ format: request.format });
    if (request.relations) query.set('relations', 'true');
    if (request.patterns.length > 0) query.set('filter', request.patterns.join(','));
    try {
      return await this.text(`/v1/status-text?${query.toString()}`);
    } catch (e) {
      if (e instanceof ControllerRequestError && e.type === 'NotFound') return undefined;
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
}
