// The web dashboard in a real browser (issue 17 items 5 and 6): Debian's chromium driven by
// playwright-core against a local controller running bundles/etcd.yaml. The graph shows
// easyrsa—etcd in the right colours, `add-unit etcd` changes the count without a reload, a
// failing hook shows in the log panel; no page or JSON answer holds a private key or a secret;
// the session cookie is HttpOnly, Secure and SameSite=Strict, and nothing works without it.
// Screenshots land in test-artefacts/dashboard/. The controller's own CA is not trusted by
// chromium here: the browser context ignores HTTPS errors (the CLI pins the CA; a browser user
// trusts it once).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../../core/controller/api.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import type { DashboardHook, DrawnGraph } from '../../../core/dashboard/types.js';
import { runCli } from '../../core/cli/run-cli.js';

if (process.getuid?.() !== 0) {
  throw new Error(
    'test/integration/dashboard/dashboard-browser.test.ts needs root (local machines)',
  );
}

const ARTEFACTS = resolve('test-artefacts', 'dashboard');
const GREEN = '#2e9e44';
const RED = '#d43a2f';

let home: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let url: string;
let secret: string;
const previousHome = process.env.RUNE_HOME;

async function status(): Promise<StatusResponse> {
  return JSON.parse((await runCli('status', '--format', 'json')).out.join('\n')) as StatusResponse;
}

const drawn = (): Promise<DrawnGraph> =>
  page.evaluate<DrawnGraph>(
    () =>
      (globalThis as { runeDashboard?: DashboardHook }).runeDashboard?.graph() ?? {
        nodes: [],
        edges: [],
      },
  );
const node = async (name: string) => (await drawn()).nodes.find((n) => n.id === name);

/** A plain HTTPS GET with no cookie and no token: what a stranger on the host gets. */
function stranger(path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = httpsRequest(new URL(path, url), { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

beforeAll(async () => {
  mkdirSync(ARTEFACTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
  expect((await runCli('bootstrap', 'local', 'dash')).code).toBe(0);
  const deployed = await runCli('deploy', 'bundles/etcd.yaml', '--wait=10m');
  expect(deployed.code, deployed.err.join('\n')).toBe(0);
  await waitFor(
    'easyrsa and three etcd units active',
    async () => {
      const s = await status();
      const units = ['easyrsa', 'etcd'].flatMap((a) =>
        Object.values(s.applications?.[a]?.units ?? {}),
      );
      return units.length === 4 && units.every((u) => u['workload-status'].current === 'active');
    },
    { timeoutMs: 300_000 },
  );
  const link = await runCli('dashboard');
  expect(link.code).toBe(0);
  url = /Dashboard: (\S+)/.exec(link.out.join('\n'))?.[1] ?? '';
  const login = /(https:\/\/\S+login\?secret=(\S+))/.exec(link.out.join('\n'));
  secret = login?.[2] ?? '';
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
  context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1400, height: 860 },
  });
  page = await context.newPage();
  await page.goto(login?.[1] ?? '');
  await page.waitForURL(url);
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await runCli('destroy-controller', 'dash', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

describe('the dashboard in chromium, on the etcd bundle', () => {
  it('draws easyrsa—etcd, both green, linked by certificates:tls-certificates', async () => {
    await page.waitForFunction(
      () =>
        ((globalThis as { runeDashboard?: DashboardHook }).runeDashboard?.graph().nodes.length ??
          0) >= 2,
    );
    const graph = await drawn();
    expect(graph.nodes.map((n) => [n.id, n.units, n.worst, n.colour]).sort()).toEqual([
      ['easyrsa', 1, 'active', GREEN],
      ['etcd', 3, 'active', GREEN],
    ]);
    // What cytoscape painted, not only what it was given.
    expect(graph.nodes.every((n) => n.drawnColour === 'rgb(46,158,68)')).toBe(true);
    expect(graph.edges).toContainEqual({
      source: 'easyrsa',
      target: 'etcd',
      label: 'certificates:tls-certificates',
    });
    expect(graph.edges).toContainEqual({ source: 'etcd', target: 'etcd', label: 'cluster:etcd' });
    await page.screenshot({ path: join(ARTEFACTS, 'etcd-bundle.png') });
  });

  it("opens etcd's panel: units, leader, machines, config, history", async () => {
    const box = await page.locator('#graph').boundingBox();
    expect(box).not.toBeNull();
    // Clicking a canvas node: its rendered position comes from cytoscape through the page.
    const at = await page.evaluate(() =>
      (globalThis as { runeDashboard?: DashboardHook }).runeDashboard?.position('etcd'),
    );
    await page.mouse.click((box?.x ?? 0) + (at?.x ?? 0), (box?.y ?? 0) + (at?.y ?? 0));
    const panel = page.locator('section.panel[data-application="etcd"]');
    await panel.waitFor();
    await expect.poll(() => panel.locator('.unit-row').count()).toBe(3);
    const text = await panel.innerText();
    expect(text).toMatch(/Leader\s+etcd\/\d/);
    expect(text).toMatch(/Healthy with 3 known peers/);
    expect(text).toMatch(/election_timeout/);
    await page.screenshot({ path: join(ARTEFACTS, 'etcd-panel.png') });
  });

  it('add-unit etcd: the count goes to 4 on the page without a reload', async () => {
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    const added = await runCli('add-unit', 'etcd');
    expect(added.code).toBe(0);
    const asked = Date.now();
    await page.waitForFunction(
      () =>
        (globalThis as { runeDashboard?: DashboardHook }).runeDashboard
          ?.graph()
          .nodes.find((n) => n.id === 'etcd')?.units === 4,
      null,
      { timeout: 30_000 },
    );
    const lag = Date.now() - asked;
    console.log(`the page showed etcd's fourth unit ${lag} ms after add-unit returned`);
    expect(navigations).toBe(0);
    // Issue 17: within a second of the change; some slack for two cores shared by six people.
    expect(lag).toBeLessThan(3000);
    await expect.poll(() => page.locator('[data-testid="unit-count"]').innerText()).toBe('4');
    await page.screenshot({ path: join(ARTEFACTS, 'etcd-four-units.png') });
  });

  it('a failing hook appears in the log panel, and its application turns red', async () => {
    const fixture = resolve('test/fixtures/charms/runtime/flaky');
    const r = await runCli(
      'deploy',
      fixture,
      'flaky',
      '--to',
      '0',
      '--config',
      'fail-hook=install',
    );
    expect(r.code, r.err.join('\n')).toBe(0);
    const failed = page.locator('.log .hook[data-outcome="error"]', { hasText: 'flaky/0' });
    await failed.first().waitFor({ timeout: 120_000 });
    expect(await failed.first().innerText()).toMatch(/install/);
    await page.waitForFunction(
      () =>
        (globalThis as { runeDashboard?: DashboardHook }).runeDashboard
          ?.graph()
          .nodes.find((n) => n.id === 'flaky')?.health === 'bad',
      null,
      { timeout: 30_000 },
    );
    expect((await node('flaky'))?.colour).toBe(RED);
    await page.screenshot({ path: join(ARTEFACTS, 'failing-hook.png') });
  });

  it('shows no private key or secret, in the page or any JSON answer', async () => {
    const s = await status();
    const paths = ['/dashboard/api/model'];
    for (const [app, a] of Object.entries(s.applications ?? {})) {
      paths.push(`/dashboard/api/application?name=${app}`);
      for (const unit of Object.keys(a.units ?? {}))
        paths.push(`/dashboard/api/unit?name=${encodeURIComponent(unit)}`);
    }
    const bodies = [await page.content()];
    for (const p of paths) {
      const res = await page.request.get(new URL(p, url).href);
      expect(res.status(), p).toBe(200);
      expect(res.headers()['content-type']).toMatch(/application\/json/);
      bodies.push(await res.text());
    }
    for (const body of bodies) {
      expect(body).not.toMatch(/PRIVATE KEY/);
      expect(body).not.toContain(secret);
      expect(body).not.toMatch(/-----BEGIN/);
    }
    const cookie = (await context.cookies()).find((c) => c.name === 'rune-dashboard');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
    expect(bodies.join('\n')).not.toContain(cookie?.value ?? '');
  });

  it('refuses whoever has no session, and a login link used once already', async () => {
    for (const p of ['/dashboard/', '/dashboard/api/model', '/dashboard/api/events', '/metrics'])
      expect((await stranger(p)).status, p).toBe(401);
    const again = await stranger(`/dashboard/login?secret=${secret}`);
    expect(again.status).toBe(401);
    expect(again.body).not.toContain(secret);
    // Read-only: even with the session, nothing but GET.
    const posted = await page.request.post(new URL('/dashboard/api/model', url).href);
    expect(posted.status()).toBe(405);
  });
});
