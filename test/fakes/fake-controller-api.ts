// A FAKE controller behind the real API server, on a real unix socket, for tests of the API and
// of CLI code that talks to it. What it does NOT model: machines, charms, hooks or a store; every
// verb answers an empty, successful default unless the test overrides it; /changes waits on a
// real event bus that only the test bumps.
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../core/controller/api-client.js';
import { type ControllerApi, listen, type MemberRole } from '../../core/controller/api-server.js';
import type { StatusResponse } from '../../core/controller/api.js';
import type { ModelEvents } from '../../core/controller/model-events.js';
import { waitFor } from '../../core/controller/wait-for.js';

export const EMPTY_STATUS: StatusResponse = {
  model: { name: 'default', controller: 'test', cloud: 'local', version: '0.1.0' },
  machines: {},
};

/** A ControllerApi whose /changes waits on `events`, with `overrides` in place of defaults. */
export function fakeControllerApi(
  events: ModelEvents,
  overrides: Partial<ControllerApi> = {},
): ControllerApi {
  return {
    ping: () => ({ name: 'test', id: 'abc123', version: '0.1.0', pid: 1 }),
    status: () => Promise.resolve(EMPTY_STATUS),
    addMachines: () => Promise.resolve({ machines: [] }),
    removeMachine: () => Promise.resolve(),
    sshAccess: () => ({ address: '', port: 22, user: '', keyFile: '', hostPublicKey: '' }),
    exec: () => Promise.resolve(0),
    shutdown: () => Promise.resolve(),
    deploy: () => Promise.resolve({ changes: [], warnings: [] }),
    exportBundle: () => ({ bundle: 'applications: {}\n', warnings: [] }),
    diffBundle: () => ({ diff: '', warnings: [] }),
    addUnits: () => Promise.resolve({ units: [] }),
    relate: ({ a, b }) => ({ relation: `${a} - ${b}` }),
    resolve: () => undefined,
    simulate: () => undefined,
    metrics: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4', text: '' }),
    refresh: ({ application }) => ({ application, charm: application, revision: 2, from: 1 }),
    run: ({ target }) => ({ id: 1, unit: target }),
    action: (id) => ({
      id,
      unit: 'etcd/0',
      name: 'health',
      params: {},
      status: 'completed',
      results: {},
      message: '',
      enqueuedAt: '2026-01-01T00:00:00Z',
    }),
    attachResources: () => ({ attached: [] }),
    hookLog: () => ({ entries: [] }),
    pending: () => ({ units: [], deploying: false }),
    changes: async (after, timeoutMs, signal) => ({
      generation: await events.nextChange(after, timeoutMs, signal),
    }),
    modelConfig: () => ({ settings: {} }),
    setModelConfig: () => undefined,
    removeUnits: () => undefined,
    removeApplication: () => undefined,
    removeRelation: ({ a, b }) => ({ relation: `${a} - ${b}` }),
    config: () => ({ options: {} }),
    setConfig: () => undefined,
    rollouts: () => ({ rollouts: [] }),
    rollout: () => [],
    rolloutPolicy: () => ({
      policy: {
        canaries: { value: '1', source: 'default' },
        'max-in-flight': { value: '1', source: 'default' },
        watch: { value: '1s-5m', source: 'default' },
      },
    }),
    setRolloutPolicy: () => undefined,
    history: () => ({ revisions: [] }),
    statusLog: ({ entity }) => ({ entity, kind: 'unit', entries: [] }),
    rollback: ({ application }) => ({
      application,
      revision: 2,
      restored: 1,
      charmRevision: { from: 1, to: 1 },
      config: [],
      keptSecrets: [],
      resources: [],
    }),
    ...overrides,
  };
}

export interface Served {
  socket: string;
  client: ApiClient;
  server: Server;
  /** Closes the server and every connection still open (a held long-poll among them). */
  close(): void;
}

/** `log` receives what the server logs of internal errors (default: stderr, as in production). */
export async function serveApi(
  api: ControllerApi,
  log?: (line: string) => void,
  role?: MemberRole,
): Promise<Served> {
  const socket = join(mkdtempSync(join(tmpdir(), 'rune-api-')), 'api.sock');
  const server = await listen(api, socket, log, role);
  return {
    socket,
    server,
    client: new ApiClient('test', socket),
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

/** Resolves once exactly `n` /changes long-polls hold a listener on `events` (a client parked in
 * its wait), or fails after two seconds. */
export function heldLongPolls(events: ModelEvents, n: number): Promise<true> {
  return waitFor(
    `${n} long-polls to be held on the event bus`,
    () => events.listenerCount('change') === n && events.listenerCount('close') === n,
    { timeoutMs: 2000, intervalMs: 5 },
  );
}
