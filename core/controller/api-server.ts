// The API's HTTP side: routes over a unix socket (mode 0600) to the controller's handlers, each
// request checked against its schema first (request-check.ts), and errors turned into JSON the
// CLI can print. Knows nothing of machines or the store.
import type { PolicyFlags } from './rollout-policy.js';
import type { RolloutRecord } from '../store/types.js';
import type { RefreshRequest, RefreshResponse } from './refresh.js';
import type { RolloutPolicyView, SetRolloutPolicyRequest } from './rollout-settings.js';
import type { HistoryResponse } from './history-view.js';
import type { RollbackRequest, RollbackResponse } from './rollback.js';
import type { StatusLogFilter, StatusLogRequest, StatusLogResponse } from './status-log-view.js';
import { chmodSync, existsSync, renameSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { RuneError } from '../model/errors.js';
import { NotActiveMemberError } from './errors.js';
import { redact } from '../model/redact.js';
import type { ActionRecord, HookLogEntry } from '../store/types.js';
import type {
  ActionRequest,
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
  SimulateRequest,
  SshAccess,
  StatusResponse,
} from './api.js';
import { MAX_CHANGES_WAIT_MS } from './api.js';
import { BadRequestError, checkBody, checkQuery } from './request-check.js';
import type { BodyRoute, QueryRoute } from './request-schemas.js';
import { renderStatus, type StatusFormat, statusJson } from './status-text.js';

export interface ControllerApi {
  ping(): PingResponse;
  /** `probe`: a round trip on every machine shown first (else what the last probe saw);
   * `patterns`: only the applications, units and machines they name (status-filter.ts). */
  status(probe?: boolean, patterns?: readonly string[]): Promise<StatusResponse>;
  addMachines(request: AddMachinesRequest): Promise<AddMachinesResponse>;
  removeMachine(id: string, force: boolean): Promise<void>;
  sshAccess(id: string): SshAccess;
  exec(
    machine: string,
    command: string,
    sink: { out(chunk: Buffer): void; err(chunk: Buffer): void },
    signal: AbortSignal,
  ): Promise<number>;
  /** Stops the controller; with `destroy`, first destroys every machine it made. */
  shutdown(destroy: boolean): Promise<void>;
  deploy(request: DeployRequest): Promise<DeployResponse>;
  exportBundle(request: ExportBundleRequest): ExportBundleResponse;
  diffBundle(request: DiffBundleRequest): DiffBundleResponse;
  addUnits(request: AddUnitsRequest): Promise<{ units: string[] }>;
  relate(request: { a: string; b: string }): { relation: string };
  resolve(request: { unit: string; retry: boolean }): void;
  refresh(request: RefreshRequest): RefreshResponse;
  run(request: ActionRequest): { id: number; unit: string };
  action(id: number): ActionRecord;
  attachResources(request: AttachRequest): { attached: Attached[] };
  hookLog(after: number): { entries: HookLogEntry[] };
  pending(): { units: string[]; deploying: boolean };
  /** The event bus's generation once it differs from `after`, or at `timeoutMs` or abort. */
  changes(after: number, timeoutMs: number, signal: AbortSignal): Promise<ChangesResponse>;
  modelConfig(): {
    settings: Record<string, { value: string; source: 'default' | 'user'; description: string }>;
  };
  setModelConfig(values: Record<string, string>): void;
  removeUnits(request: { units: string[]; force: boolean }): void;
  removeApplication(request: { application: string; force: boolean }): void;
  removeRelation(request: { a: string; b: string }): { relation: string };
  config(application: string): { options: Record<string, ConfigOptionView> };
  rollouts(): { rollouts: RolloutRecord[] };
  rollout(request: { application: string; action: 'resume' | 'abort' }): RolloutRecord[];
  /** A sim cloud's rehearsal of machine failures: lost machines stop answering until healed. */
  simulate(request: SimulateRequest): void;
  rolloutPolicy(application: string): { policy: RolloutPolicyView };
  setRolloutPolicy(request: SetRolloutPolicyRequest): void;
  /** Model revisions, oldest first; with an application, those that touched it. */
  history(application?: string): HistoryResponse;
  rollback(request: RollbackRequest): RollbackResponse;
  /** An entity's status transitions, oldest first (show-status-log). */
  statusLog(request: StatusLogRequest): StatusLogResponse;
  /** The controller's metrics in Prometheus' text format (metrics.ts). */
  metrics(): Promise<{ contentType: string; text: string }>;
  setConfig(request: {
    application: string;
    values: Record<string, string>;
    reset: string[];
    policy?: PolicyFlags;
  }): void;
}

const MAX_BODY = 1024 * 1024;

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BadRequestError('request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequestError('request body is not JSON');
  }
}

/** The route's body, checked against its schema before any handler sees it. */
async function body<R extends BodyRoute>(req: IncomingMessage, route: R) {
  return checkBody(route, await readJson(req));
}

/** What a client may read of an error: ours carry a message written for the user; anything else
 * (a TypeError from deep inside) stays in the controller's log. */
export function errorBody(e: unknown, log: (line: string) => void = logToStderr): ApiErrorBody {
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  if (e instanceof RuneError) {
    // Ours of kind internal are bugs too: the client gets the message, the log the stack.
    if (e.kind === 'internal') log(`internal error answering a request: ${redact(detail)}`);
    return { kind: e.kind, type: e.name, message: redact(e.message) };
  }
  log(`internal error answering a request: ${redact(detail)}`);
  return { kind: 'internal', type: 'InternalError', message: INTERNAL_MESSAGE };
}

export const INTERNAL_MESSAGE = 'internal error, see the controller log';

function logToStderr(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function route(
  api: ControllerApi,
  req: IncomingMessage,
  res: ServerResponse,
  log: (line: string) => void,
  role: MemberRole | undefined,
  extra: ExtraRoutes | undefined,
) {
  const url = new URL(req.url ?? '/', 'http://rune');
  const parts = url.pathname.split('/').filter(Boolean);
  const method = req.method ?? 'GET';
  const key = `${method} /${parts.map((p, i) => (i === 2 ? ':id' : p)).join('/')}`;
  const query = (route: QueryRoute) => {
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if (parts[2] !== undefined) params.id = parts[2];
    return checkQuery(route, params);
  };
  // A member standing by answers reads from its replica; changes go to the active member.
  const member = role?.();
  if (member && !member.active && method !== 'GET') throw new NotActiveMemberError(member.id);
  if (extra && (await extra(key, req, res))) return;
  switch (key) {
    case 'GET /v1/ping':
      query(key);
      return send(res, 200, api.ping());
    case 'GET /v1/status': {
      const { probe, filter } = query(key);
      // Probing machines is the active member's: one standing by shows what its replica holds.
      const probing = probe !== 'false' && member?.active !== false;
      const answer = await api.status(probing, filter?.split(',') ?? []);
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(statusJson(answer));
    }
    case 'GET /v1/status-text': {
      const { probe, filter, format, relations } = query(key);
      const probing = probe !== 'false' && member?.active !== false;
      const patterns = filter?.split(',') ?? [];
      const request = { format: format as StatusFormat, relations: relations === 'true', patterns };
      const text = renderStatus(await api.status(probing, patterns), request);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end(text);
    }
    case 'POST /v1/machines':
      return send(res, 200, await api.addMachines(await body(req, key)));
    case 'DELETE /v1/machines/:id': {
      const { id = '', force } = query(key);
      await api.removeMachine(id, force === 'true');
      return send(res, 200, {});
    }
    case 'GET /v1/machines/:id/ssh':
      return send(res, 200, api.sshAccess(query(key).id ?? ''));
    case 'POST /v1/exec':
      return exec(api, await body(req, key), res, log);
    case 'POST /v1/deploy':
      return send(res, 200, await api.deploy(await body(req, key)));
    case 'POST /v1/export-bundle':
      return send(res, 200, api.exportBundle(await body(req, key)));
    case 'POST /v1/diff-bundle':
      return send(res, 200, api.diffBundle(await body(req, key)));
    case 'POST /v1/units':
      return send(res, 200, await api.addUnits(await body(req, key)));
    case 'POST /v1/relations':
      return send(res, 200, api.relate(await body(req, key)));
    case 'POST /v1/refresh':
      return send(res, 200, api.refresh(await body(req, key)));
    case 'POST /v1/resolve':
      api.resolve(await body(req, key));
      return send(res, 200, {});
    case 'POST /v1/actions':
      return send(res, 200, api.run(await body(req, key)));
    case 'GET /v1/actions/:id':
      return send(res, 200, api.action(Number(query(key).id)));
    case 'POST /v1/resources':
      return send(res, 200, api.attachResources(await body(req, key)));
    case 'POST /v1/remove-units':
      api.removeUnits(await body(req, key));
      return send(res, 200, {});
    case 'POST /v1/remove-application':
      api.removeApplication(await body(req, key));
      return send(res, 200, {});
    case 'POST /v1/remove-relation':
      return send(res, 200, api.removeRelation(await body(req, key)));
    case 'GET /v1/config':
      return send(res, 200, api.config(query(key).application ?? ''));
    case 'POST /v1/config':
      api.setConfig(await body(req, key));
      return send(res, 200, {});
    case 'GET /v1/rollouts':
      query(key);
      return send(res, 200, api.rollouts());
    case 'POST /v1/sim':
      api.simulate(await body(req, key));
      return send(res, 200, {});
    case 'POST /v1/rollout':
      return send(res, 200, { rollouts: api.rollout(await body(req, key)) });
    case 'GET /v1/rollout-policy':
      return send(res, 200, api.rolloutPolicy(query(key).application ?? ''));
    case 'POST /v1/rollout-policy':
      api.setRolloutPolicy(await body(req, key));
      return send(res, 200, {});
    case 'GET /v1/history':
      return send(res, 200, api.history(query(key).application));
    case 'GET /v1/status-log': {
      const { entity = '', type, limit } = query(key);
      return send(
        res,
        200,
        api.statusLog({
          entity,
          ...(type === undefined ? {} : { type: type as StatusLogFilter }),
          ...(limit === undefined ? {} : { limit: Number(limit) }),
        }),
      );
    }
    case 'POST /v1/rollback':
      return send(res, 200, api.rollback(await body(req, key)));
    case 'GET /v1/model-config':
      query(key);
      return send(res, 200, api.modelConfig());
    case 'POST /v1/model-config':
      api.setModelConfig(await body(req, key));
      return send(res, 200, {});
    case 'GET /v1/pending':
      query(key);
      return send(res, 200, api.pending());
    case 'GET /v1/changes':
      return changes(api, query(key), res);
    case 'GET /v1/hooks':
      return send(res, 200, api.hookLog(Number(query(key).after ?? 0)));
    // Prometheus' conventional path beside ours: a scrape config needs no metrics_path.
    case 'GET /v1/metrics':
    case 'GET /metrics': {
      query(key);
      const { contentType, text } = await api.metrics();
      res.writeHead(200, { 'content-type': contentType });
      res.end(text);
      return;
    }
    case 'POST /v1/shutdown': {
      const { destroy } = await body(req, key);
      send(res, 200, {});
      await api.shutdown(destroy === true);
      return;
    }
    default:
      return send(res, 404, {
        error: { kind: 'internal', type: 'NotFound', message: `no API route ${key}` },
      });
  }
}

/** The long-poll behind `--wait`: held until the model changes, T passes or the client leaves. */
async function changes(
  api: ControllerApi,
  query: { after?: string; timeoutMs?: string },
  res: ServerResponse,
) {
  const after = Number(query.after ?? '-1');
  const timeoutMs = Number(query.timeoutMs ?? MAX_CHANGES_WAIT_MS);
  // A client that disconnects must not leave its listener and timer on the bus.
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const answer = await api.changes(after, Math.min(timeoutMs, MAX_CHANGES_WAIT_MS), abort.signal);
  if (!abort.signal.aborted) send(res, 200, answer);
}

/** Streams output as NDJSON frames so `rune exec` prints it as it comes. */
async function exec(
  api: ControllerApi,
  request: { machine: string; command: string },
  res: ServerResponse,
  log: (line: string) => void,
) {
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const frame = (f: ExecFrame) => res.write(`${JSON.stringify(f)}\n`);
  try {
    const code = await api.exec(
      request.machine,
      request.command,
      {
        out: (chunk) => frame({ out: chunk.toString('base64') }),
        err: (chunk) => frame({ err: chunk.toString('base64') }),
      },
      abort.signal,
    );
    frame({ exit: code });
  } catch (e) {
    frame({ error: errorBody(e, log) });
  }
  res.end();
}

/** `log` receives what an internal error hid from the client (default: stderr). */
/** A member of a highly available controller: which, and whether it runs the model now. */
export type MemberRole = () => { id: number; active: boolean };

/** Routes served beside the model's (api-users.ts): true when `key` was one of them. */
export type ExtraRoutes = (
  key: string,
  req: IncomingMessage,
  res: ServerResponse,
) => Promise<boolean>;

/** Every route, for the unix socket and (behind its token check) TCP alike. */
export function requestHandler(
  api: ControllerApi,
  log: (line: string) => void = logToStderr,
  role?: MemberRole,
  extra?: ExtraRoutes,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(api, req, res, log, role, extra).catch((e: unknown) => {
      const body = errorBody(e, log);
      if (res.headersSent) res.end();
      else send(res, body.kind === 'user' ? 400 : 500, { error: body });
    });
  };
}

export async function listen(
  api: ControllerApi,
  socket: string,
  log: (line: string) => void = logToStderr,
  role?: MemberRole,
  extra?: ExtraRoutes,
): Promise<Server> {
  const server = createServer(requestHandler(api, log, role, extra));
  // Node unlinks the path a server was bound to when it closes, whoever's socket is there by
  // then (issue 15 item 7: a stopping controller deleted the next one's). Bound under a name of
  // its own and renamed into place (over a killed controller's socket too), it leaves the path
  // alone; the controller removes its socket itself, while it is still its own (run.ts).
  const bound = `${socket}.${process.pid}`;
  if (existsSync(bound)) unlinkSync(bound);
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(bound, () => resolve());
    });
  } finally {
    process.umask(umask);
  }
  chmodSync(bound, 0o600);
  renameSync(bound, socket);
  return server;
}
