// The API's HTTP side: routes over a unix socket (mode 0600) to the controller's handlers, and
// errors turned into JSON the CLI can print. Knows nothing of machines or the store.
import type { PolicyFlags } from './rollout-policy.js';
import type { RolloutRecord } from '../store/types.js';
import { type RefreshRequest, type RefreshResponse, refreshRequest } from './refresh.js';
import {
  type RolloutPolicyView,
  type SetRolloutPolicyRequest,
  setRolloutPolicyRequest,
} from './rollout-settings.js';
import type { HistoryResponse } from './history-view.js';
import { type RollbackRequest, type RollbackResponse, rollbackRequest } from './rollback.js';
import { chmodSync, existsSync, renameSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { RuneError } from '../model/errors.js';
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
  SshAccess,
  StatusResponse,
} from './api.js';
import { MAX_CHANGES_WAIT_MS } from './api.js';

export interface ControllerApi {
  ping(): PingResponse;
  /** `probe`: a round trip on every machine first (else what the last probe saw). */
  status(probe?: boolean): Promise<StatusResponse>;
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
  rolloutPolicy(application: string): { policy: RolloutPolicyView };
  setRolloutPolicy(request: SetRolloutPolicyRequest): void;
  /** Model revisions, oldest first; with an application, those that touched it. */
  history(application?: string): HistoryResponse;
  rollback(request: RollbackRequest): RollbackResponse;
  setConfig(request: {
    application: string;
    values: Record<string, string>;
    reset: string[];
  }): void;
}

class BadRequestError extends RuneError {
  readonly kind = 'user';
}

const MAX_BODY = 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
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

export function errorBody(e: unknown): ApiErrorBody {
  if (e instanceof RuneError) return { kind: e.kind, type: e.name, message: redact(e.message) };
  const message = e instanceof Error ? e.message : String(e);
  return { kind: 'internal', type: 'Error', message: redact(message) };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function route(api: ControllerApi, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://rune');
  const parts = url.pathname.split('/').filter(Boolean);
  const method = req.method ?? 'GET';
  const key = `${method} /${parts.map((p, i) => (i === 2 ? ':id' : p)).join('/')}`;
  switch (key) {
    case 'GET /v1/ping':
      return send(res, 200, api.ping());
    case 'GET /v1/status':
      return send(res, 200, await api.status(url.searchParams.get('probe') !== 'false'));
    case 'POST /v1/machines':
      return send(res, 200, await api.addMachines((await readJson(req)) as AddMachinesRequest));
    case 'DELETE /v1/machines/:id':
      await api.removeMachine(parts[2] ?? '', url.searchParams.get('force') === 'true');
      return send(res, 200, {});
    case 'GET /v1/machines/:id/ssh':
      return send(res, 200, api.sshAccess(parts[2] ?? ''));
    case 'POST /v1/exec':
      return exec(api, req, res);
    case 'POST /v1/deploy':
      return send(res, 200, await api.deploy((await readJson(req)) as DeployRequest));
    case 'POST /v1/export-bundle':
      return send(res, 200, api.exportBundle(exportRequest(await readJson(req))));
    case 'POST /v1/diff-bundle':
      return send(res, 200, api.diffBundle(bundleRequest(await readJson(req))));
    case 'POST /v1/units':
      return send(res, 200, await api.addUnits((await readJson(req)) as AddUnitsRequest));
    case 'POST /v1/relations':
      return send(res, 200, api.relate((await readJson(req)) as { a: string; b: string }));
    case 'POST /v1/refresh':
      return send(res, 200, api.refresh(refreshRequest(await readJson(req))));
    case 'POST /v1/resolve':
      api.resolve((await readJson(req)) as { unit: string; retry: boolean });
      return send(res, 200, {});
    case 'POST /v1/actions':
      return send(res, 200, api.run((await readJson(req)) as ActionRequest));
    case 'GET /v1/actions/:id':
      return send(res, 200, api.action(Number(parts[2])));
    case 'POST /v1/resources':
      return send(res, 200, api.attachResources((await readJson(req)) as AttachRequest));
    case 'POST /v1/remove-units':
      api.removeUnits((await readJson(req)) as { units: string[]; force: boolean });
      return send(res, 200, {});
    case 'POST /v1/remove-application':
      api.removeApplication((await readJson(req)) as { application: string; force: boolean });
      return send(res, 200, {});
    case 'POST /v1/remove-relation':
      return send(res, 200, api.removeRelation((await readJson(req)) as { a: string; b: string }));
    case 'GET /v1/config':
      return send(res, 200, api.config(url.searchParams.get('application') ?? ''));
    case 'POST /v1/config':
      api.setConfig(
        (await readJson(req)) as {
          application: string;
          values: Record<string, string>;
          reset: string[];
          policy?: PolicyFlags;
        },
      );
      return send(res, 200, {});
    case 'GET /v1/rollouts':
      return send(res, 200, api.rollouts());
    case 'POST /v1/rollout': {
      const body = (await readJson(req)) as { application?: unknown; action?: unknown };
      const action = body.action === 'abort' ? 'abort' : 'resume';
      return send(res, 200, {
        rollouts: api.rollout({
          application: typeof body.application === 'string' ? body.application : '',
          action,
        }),
      });
    }
    case 'GET /v1/rollout-policy':
      return send(res, 200, api.rolloutPolicy(url.searchParams.get('application') ?? ''));
    case 'POST /v1/rollout-policy':
      api.setRolloutPolicy(setRolloutPolicyRequest(await readJson(req)));
      return send(res, 200, {});
    case 'GET /v1/history':
      return send(res, 200, api.history(url.searchParams.get('application') ?? undefined));
    case 'POST /v1/rollback':
      return send(res, 200, api.rollback(rollbackRequest(await readJson(req))));
    case 'GET /v1/model-config':
      return send(res, 200, api.modelConfig());
    case 'POST /v1/model-config':
      api.setModelConfig((await readJson(req)) as Record<string, string>);
      return send(res, 200, {});
    case 'GET /v1/pending':
      return send(res, 200, api.pending());
    case 'GET /v1/changes':
      return changes(api, url, res);
    case 'GET /v1/hooks':
      return send(res, 200, api.hookLog(Number(url.searchParams.get('after') ?? 0) || 0));
    case 'POST /v1/shutdown': {
      const body = (await readJson(req)) as { destroy?: boolean };
      send(res, 200, {});
      await api.shutdown(body.destroy === true);
      return;
    }
    default:
      return send(res, 404, {
        error: { kind: 'internal', type: 'NotFound', message: `no API route ${key}` },
      });
  }
}

function exportRequest(body: unknown): ExportBundleRequest {
  const { relativeTo } = body as { relativeTo?: unknown };
  if (relativeTo === undefined) return {};
  if (typeof relativeTo !== 'string' || !relativeTo.startsWith('/')) {
    throw new BadRequestError('export-bundle takes relativeTo as an absolute folder');
  }
  return { relativeTo };
}

function bundleRequest(body: unknown): DiffBundleRequest {
  const { bundle, overlays } = body as { bundle?: unknown; overlays?: unknown };
  const absolute = (p: unknown): p is string => typeof p === 'string' && p.startsWith('/');
  if (!absolute(bundle) || !Array.isArray(overlays) || !overlays.every(absolute)) {
    throw new BadRequestError('diff-bundle needs bundle and overlays as absolute paths');
  }
  return { bundle, overlays };
}

/** The long-poll behind `--wait`: held until the model changes, T passes or the client leaves. */
async function changes(api: ControllerApi, url: URL, res: ServerResponse) {
  const after = Number(url.searchParams.get('after') ?? '-1');
  const timeoutMs = Number(url.searchParams.get('timeoutMs') ?? MAX_CHANGES_WAIT_MS);
  if (!Number.isSafeInteger(after) || after < -1 || !(timeoutMs >= 0)) {
    throw new BadRequestError('changes needs after=N (-1 for now) and timeoutMs=T (T >= 0)');
  }
  // A client that disconnects must not leave its listener and timer on the bus.
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const answer = await api.changes(after, Math.min(timeoutMs, MAX_CHANGES_WAIT_MS), abort.signal);
  if (!abort.signal.aborted) send(res, 200, answer);
}

/** Streams output as NDJSON frames so `rune exec` prints it as it comes. */
async function exec(api: ControllerApi, req: IncomingMessage, res: ServerResponse) {
  const body = (await readJson(req)) as { machine?: string; command?: string };
  if (typeof body.machine !== 'string' || typeof body.command !== 'string') {
    throw new BadRequestError('exec needs a machine and a command');
  }
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const frame = (f: ExecFrame) => res.write(`${JSON.stringify(f)}\n`);
  try {
    const code = await api.exec(
      body.machine,
      body.command,
      {
        out: (chunk) => frame({ out: chunk.toString('base64') }),
        err: (chunk) => frame({ err: chunk.toString('base64') }),
      },
      abort.signal,
    );
    frame({ exit: code });
  } catch (e) {
    frame({ error: errorBody(e) });
  }
  res.end();
}

export async function listen(api: ControllerApi, socket: string): Promise<Server> {
  const server = createServer((req, res) => {
    route(api, req, res).catch((e: unknown) => {
      const body = errorBody(e);
      if (res.headersSent) res.end();
      else send(res, body.kind === 'user' ? 400 : 500, { error: body });
    });
  });
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
