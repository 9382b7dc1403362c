// `rune status PATTERN...` (issue 16 item 2): the patterns go to the controller, which answers
// only what they name; the output is what the CLI's own filter made of the whole model before.
// A controller started before filters existed refuses them: the CLI then filters as it did.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatStatus } from '../../../../core/controller/status-text.js';
import { listen } from '../../../../core/controller/api-server.js';
import type { StatusResponse } from '../../../../core/controller/api.js';
import { ModelEvents } from '../../../../core/controller/model-events.js';
import { controllerPaths, type ControllerPaths } from '../../../../core/controller/paths.js';
import { createController } from '../../../../core/controller/controller-creation.js';
import { filterStatus } from '../../../../core/controller/status-filter.js';
import { fakeControllerApi } from '../../../fakes/fake-controller-api.js';
import { runCli } from '../run-cli.js';

const previousHome = process.env.RUNE_HOME;
let paths: ControllerPaths;
const servers: Server[] = [];

beforeEach(() => {
  const home = mkdtempSync(join(tmpdir(), 'rune-status-filter-'));
  process.env.RUNE_HOME = home;
  createController(home, 'lab', 'manual');
  paths = controllerPaths(home, 'lab');
});

afterEach(() => {
  servers.splice(0).forEach((s) => {
    s.close();
    s.closeAllConnections();
  });
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

const status = (current: string) => ({ current, message: '', since: '2026-12-07T00:00:00Z' });
const unit = (machine: string) => ({
  'workload-status': status('active'),
  'agent-status': status('idle'),
  machine,
  'public-address': `10.0.0.${machine}`,
});
const machine = () => ({
  'machine-status': status('started'),
  'agent-status': status('idle'),
  'dns-name': '10.0.0.1',
  'instance-id': 'sim-1',
  base: 'sim@1',
  hardware: '',
});
const app = (units: Record<string, ReturnType<typeof unit>>) => ({
  charm: 'etcd',
  'charm-name': 'etcd',
  'charm-rev': 1,
  exposed: false,
  'application-status': status('active'),
  relations: {},
  units,
  scale: Object.keys(units).length,
});

const WHOLE: StatusResponse = {
  model: { name: 'default', controller: 'lab', cloud: 'sim', version: '0.1.0' },
  machines: { '0': machine(), '1': machine(), '2': machine() },
  applications: {
    etcd: app({ 'etcd/0': unit('0'), 'etcd/1': unit('1') }),
    web: { ...app({ 'web/0': unit('2') }), charm: 'web', 'charm-name': 'web' },
  },
  relations: [],
};

describe('rune status PATTERN...', () => {
  it('sends its patterns and prints what the CLI printed of the whole model', async () => {
    const asked: (readonly string[] | undefined)[] = [];
    const api = fakeControllerApi(new ModelEvents(), {
      status: (_probe, patterns) => {
        asked.push(patterns);
        return Promise.resolve(filterStatus(WHOLE, patterns ?? []));
      },
    });
    servers.push(await listen(api, paths.socket));
    const r = await runCli('status', 'etcd/1', '2');
    expect(r.code).toBe(0);
    expect(asked).toEqual([['etcd/1', '2']]);
    expect(r.out.join('\n')).toBe(formatStatus(WHOLE, 'tabular', { patterns: ['etcd/1', '2'] }));
    expect(r.out.join('\n')).not.toContain('etcd/0');
  });

  it('filters the whole model itself when the controller predates filters', async () => {
    const urls: string[] = [];
    const old = createServer((req, res) => {
      urls.push(req.url ?? '');
      if (req.url?.startsWith('/v1/status-text')) {
        // Older still than status rendered by the controller.
        const message = 'no API route GET /v1/status-text';
        res.writeHead(404);
        return void res.end(
          JSON.stringify({ error: { kind: 'internal', type: 'NotFound', message } }),
        );
      }
      res.writeHead(req.url?.includes('filter=') ? 400 : 200);
      if (req.url?.startsWith('/v1/ping')) {
        res.end(JSON.stringify({ name: 'lab', id: 'abc123', version: '0.0.9', pid: 1 }));
      } else if (req.url?.includes('filter=')) {
        const message =
          'invalid request for GET /v1/status: filter: is not a field of this request';
        res.end(JSON.stringify({ error: { kind: 'user', type: 'BadRequestError', message } }));
      } else res.end(JSON.stringify(WHOLE));
    });
    servers.push(old);
    await new Promise<void>((resolve) => old.listen(paths.socket, resolve));
    const r = await runCli('status', 'web/0', '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.join('\n'))).toEqual(
      JSON.parse(formatStatus(WHOLE, 'json', { patterns: ['web/0'] })),
    );
    expect(urls.filter((u) => u.startsWith('/v1/status'))).toEqual([
      '/v1/status-text?format=json&filter=web%2F0',
      '/v1/status?filter=web%2F0',
      '/v1/status',
    ]);
  });
});
