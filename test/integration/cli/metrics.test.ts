// The controller's /metrics as an operator's Prometheus scrapes it (issue 17 items 1, 3 and 6):
// a real controller process on the sim cloud, scraped on its unix socket before, during and
// after a deploy of easyrsa (10-day certificates) and two etcd units, each scrape parsed as
// Prometheus text. Counters move and never go back, the gauges count what status shows, the
// certificates' expiry is exported and warned of, and no key or PEM reaches a scrape or status.
// No root needed: sim machines are memory in the controller (etcd itself cannot run on them).
import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../../core/controller/api.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';
import {
  type Family,
  parsePrometheusText,
  sampleValue,
} from '../../core/controller/prometheus-text.js';

let home: string;
const previousHome = process.env.RUNE_HOME;
const DAY = 86_400_000;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
  const r = await runCli('bootstrap', 'sim', 'metered', '--latency', '1ms', '--jitter', '0.5ms');
  expect(r.code, r.err.join('\n')).toBe(0);
});

afterAll(async () => {
  await runCli('destroy-controller', 'metered', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

interface Scrape {
  type: string;
  text: string;
  families: Map<string, Family>;
}

/** GET `path` on the controller's socket, as `curl --unix-socket` would. */
function get(path: string): Promise<{ type: string; text: string }> {
  const socketPath = join(home, 'controllers', 'metered', 'api.sock');
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        if (res.statusCode === 200) resolve({ type: res.headers['content-type'] ?? '', text });
        else reject(new Error(`GET ${path}: ${res.statusCode ?? '?'} ${text}`));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function scrape(path = '/metrics'): Promise<Scrape> {
  const { type, text } = await get(path);
  return { type, text, families: parsePrometheusText(text) };
}

/** The controller's next model change after `generation` (-1: the current one), or its
 * generation after `timeoutMs`: the API's own long-poll, so scrapes follow the deploy. */
async function nextChange(generation: number, timeoutMs: number): Promise<number> {
  const { text } = await get(`/v1/changes?after=${generation}&timeoutMs=${timeoutMs}`);
  return (JSON.parse(text) as { generation: number }).generation;
}

async function status(): Promise<StatusResponse> {
  const r = await runCli('status', '--format', 'json');
  expect(r.code, r.err.join('\n')).toBe(0);
  return JSON.parse(r.out.join('\n')) as StatusResponse;
}

const hooks = (s: Scrape) => sampleValue(s.families, 'rune_hooks_total');
const scrapes: Scrape[] = [];

describe('/metrics on a controller', () => {
  it('answers before any deploy: Prometheus text, the process metrics, no hook yet', async () => {
    const first = await scrape();
    scrapes.push(first);
    expect(first.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sampleValue(first.families, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(first.families, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(hooks(first)).toBe(0);
    expect(first.families.get('rune_hook_duration_seconds')?.type).toBe('histogram');
    expect((await scrape('/v1/metrics')).families.has('rune_units')).toBe(true);
  });

  it('counts hooks, leaders, units and machines as a deploy runs, never going back', async () => {
    const bundle = join(mkdtempSync(join(tmpdir(), 'rune-bundle-')), 'certs.yaml');
    writeFileSync(
      bundle,
      [
        'applications:',
        '  easyrsa: {charm: easyrsa, num_units: 1, options: {certificate-lifetime: 10d}}',
        '  etcd: {charm: etcd, num_units: 2}',
        'relations:',
        '- [etcd:certificates, easyrsa:client]',
      ].join('\n'),
    );
    // Scraped on every model change while the deploy runs and its units settle (sim hooks are
    // quick: how many scrapes fall mid-deploy varies), then once every unit is idle.
    let deploying = true;
    const deployed = runCli('deploy', bundle, '--wait=120s').finally(() => (deploying = false));
    for (let generation = -1; deploying;) {
      generation = await nextChange(generation, 1000);
      scrapes.push(await scrape());
    }
    expect((await deployed).code, (await deployed).err.join('\n')).toBe(0);
    const settled = await waitFor(
      'three idle units and the certificates recorded',
      async () => {
        const s = await scrape();
        const idle = sampleValue(s.families, 'rune_units', { agent_status: 'idle' });
        const certified = s.families.get('rune_certificate_expiry_timestamp_seconds')?.samples;
        if (idle === 3 && certified?.length === 1) return s;
        throw new Error(`${idle} idle units, ${certified?.length ?? 0} applications certified`);
      },
      { timeoutMs: 60_000 },
    );
    scrapes.push(settled);
    expect(scrapes.length).toBeGreaterThan(2);
    const totals = scrapes.map(hooks);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    // Seen moving: some scrape fell between none and all of the deploy's hooks (a run here
    // scraped 0, 12, 20, 28, ... 42 while the units settled).
    const last = hooks(settled);
    expect(totals.some((n) => n > 0 && n < last)).toBe(true);
    const m = settled.families;
    expect(hooks(settled)).toBeGreaterThan(0);
    for (const application of ['easyrsa', 'etcd']) {
      expect(sampleValue(m, 'rune_hooks_total', { application, hook: 'install' })).toBe(
        application === 'etcd' ? 2 : 1,
      );
      expect(sampleValue(m, 'rune_leader_changes_total', { application })).toBe(1);
    }
    // Every hook timed, none failed (the failures series is there, at zero).
    expect(sampleValue(m, 'rune_hook_duration_seconds_count')).toBe(hooks(settled));
    expect(sampleValue(m, 'rune_hook_failures_total', { hook: 'install' })).toBe(0);
    expect(m.get('rune_hook_failures_total')?.samples.length).toBeGreaterThan(0);
    // The gauges agree with status.
    const shown = await status();
    const units = Object.values(shown.applications ?? {}).flatMap((a) =>
      Object.values(a.units ?? {}),
    );
    for (const u of units) {
      const labels = {
        workload_status: u['workload-status'].current,
        agent_status: u['agent-status'].current,
      };
      expect(sampleValue(m, 'rune_units', labels)).toBeGreaterThan(0);
    }
    expect(sampleValue(m, 'rune_units')).toBe(units.length);
    expect(sampleValue(m, 'rune_machines', { status: 'started' })).toBe(3);
    // `rune status` probed each machine: three round trips timed, at least.
    const probed = (await scrape()).families;
    expect(sampleValue(probed, 'rune_machine_probe_duration_seconds_count')).toBeGreaterThanOrEqual(
      3,
    );
  }, 180_000);

  it('exports when the certificates expire, and status warns of units within 30 days', async () => {
    const m = (await scrape()).families;
    const expires = sampleValue(m, 'rune_certificate_expiry_timestamp_seconds', {
      application: 'etcd',
    });
    // certificate-lifetime 10d, issued during this test.
    expect(Math.abs(expires * 1000 - (Date.now() + 10 * DAY))).toBeLessThan(DAY / 2);
    const etcd = (await status()).applications?.['etcd']?.units ?? {};
    expect(Object.keys(etcd)).toHaveLength(2);
    for (const unit of Object.values(etcd))
      expect(unit['certificate-warning']).toMatch(/^certificate expires in 10 days \(20\d\d-/);
    const tabular = await runCli('status');
    expect(tabular.out.join('\n')).toMatch(/etcd\/0\*? .*; certificate expires in 10 days/);
    // A shorter window than what is left: no warning.
    expect((await runCli('model-config', 'certificate-expiry-warning=5d')).code).toBe(0);
    const after = (await status()).applications?.['etcd']?.units ?? {};
    expect(Object.values(after).map((u) => u['certificate-warning'])).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('counts action runs by action and status', async () => {
    const r = await runCli('run', 'easyrsa/leader', 'list-certs', '--wait');
    expect(r.code, r.err.join('\n')).toBe(0);
    const m = (await scrape()).families;
    const labels = { application: 'easyrsa', action: 'list-certs', status: 'completed' };
    expect(sampleValue(m, 'rune_action_runs_total', labels)).toBe(1);
    expect(sampleValue(m, 'rune_hooks_total', { hook: 'list-certs-action' })).toBe(0);
  });

  it('shows no private key, certificate, token or password in a scrape or in status', async () => {
    const texts = [
      (await scrape()).text,
      (await scrape('/v1/metrics')).text,
      (await runCli('status', '--format', 'yaml')).out.join('\n'),
      (await runCli('status')).out.join('\n'),
    ];
    for (const text of texts) {
      expect(text).not.toMatch(/PRIVATE KEY|-----BEGIN|MII[A-Za-z0-9+/]{20}/);
      expect(text).not.toMatch(/password|passwd|secret|token/i);
    }
  });
});
