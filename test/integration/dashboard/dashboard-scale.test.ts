// The dashboard on a 10,000-unit model in chromium (issue 17 item 4: "without freezing the
// page"), against a fake controller (no machines: the page's cost is what is measured). The
// graph stays one node per application, the unit list renders only what is in view, and no
// task the page runs — first load, opening the panel, scrolling, a burst of changes — blocks
// it for long. Needs `npm run build` (the page's bundle) and Debian's chromium.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse, UnitStatusView } from '../../../core/controller/api.js';
import { ensureApiTls } from '../../../core/controller/api-tls.js';
import { dashboardHandler } from '../../../core/controller/dashboard-routes.js';
import { DashboardSessions } from '../../../core/controller/dashboard-sessions.js';
import { ModelEvents } from '../../../core/controller/model-events.js';
import type { DashboardHook } from '../../../core/dashboard/types.js';
import { fakeControllerApi } from '../../fakes/fake-controller-api.js';

const UNITS = 10_000;
/** Longer than this and a click or a scroll visibly hangs. */
const LONGEST_TASK_MS = 1000;
const ARTEFACTS = resolve('test-artefacts', 'dashboard');

const events = new ModelEvents();
let waiting = 0;
let server: Server;
let browser: Browser;
let page: Page;

function model(): StatusResponse {
  const units: Record<string, UnitStatusView> = {};
  for (let i = 0; i < UNITS; i++)
    units[`worker/${i}`] = {
      'workload-status': { current: i < waiting ? 'waiting' : 'active', message: 'ready' },
      'agent-status': { current: 'idle', message: '' },
      machine: String(i),
      'public-address': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    };
  const app = (charm: string, u: Record<string, UnitStatusView>, relations = {}) => ({
    charm,
    'charm-name': charm,
    'charm-rev': 1,
    exposed: false,
    'application-status': { current: 'active', message: '' },
    relations,
    units: u,
    scale: Object.keys(u).length,
  });
  return {
    model: { name: 'default', controller: 'big', cloud: 'sim', version: '0.1.0' },
    machines: {},
    applications: { worker: app('worker', units), api: app('api', {}) },
    relations: [
      { id: 0, provider: 'api:http', requirer: 'worker:api', interface: 'http', type: 'regular' },
    ],
  };
}

const hook = () =>
  page.evaluate(() => {
    const h = (globalThis as { runeDashboard?: DashboardHook }).runeDashboard;
    return h?.graph().nodes.map((n) => [n.id, n.units, n.worst] as const) ?? [];
  });

/** The longest task the page ran since the last call (the browser's Long Tasks API). */
const longestTask = () =>
  page.evaluate(() => {
    const w = globalThis as { longest?: number };
    const longest = w.longest ?? 0;
    w.longest = 0;
    return longest;
  });

beforeAll(async () => {
  const tls = await ensureApiTls(mkdtempSync(join(tmpdir(), 'rune-dash-scale-')), []);
  const sessions = new DashboardSessions();
  const api = fakeControllerApi(events, { status: () => Promise.resolve(model()) });
  const handler = dashboardHandler({ api, sessions, log: () => undefined });
  server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    void handler(req, res).then((mine) => {
      if (!mine) res.writeHead(404).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1400, height: 860 },
  });
  // The page's longest task so far, from the browser's Long Tasks API (a string: this file is
  // type-checked for Node, which knows no 'longtask').
  await context.addInitScript({
    content: `new PerformanceObserver((list) => {
      for (const e of list.getEntries()) globalThis.longest = Math.max(globalThis.longest ?? 0, e.duration);
    }).observe({ type: 'longtask', buffered: true });`,
  });
  page = await context.newPage();
  await page.goto(`${base}/dashboard/login?secret=${sessions.issueLogin().secret}`);
  await page.waitForURL(`${base}/dashboard/`);
}, 60_000);

afterAll(async () => {
  events.close();
  await browser?.close();
  server?.closeAllConnections();
  server?.close();
});

describe(`the dashboard on ${UNITS} units`, () => {
  it('draws one node per application, quickly', async () => {
    await page.waitForFunction(
      () => (globalThis as { runeDashboard?: DashboardHook }).runeDashboard?.graph().nodes.length,
    );
    expect(await hook()).toEqual(
      expect.arrayContaining([
        ['api', 0, 'active'],
        ['worker', UNITS, 'active'],
      ]),
    );
    const longest = await longestTask();
    console.log(`longest task while loading: ${longest} ms`);
    expect(longest).toBeLessThan(LONGEST_TASK_MS);
  });

  it('opens the panel with a virtualised unit list that scrolls to the last unit', async () => {
    const box = await page.locator('#graph').boundingBox();
    const at = await page.evaluate(() =>
      (globalThis as { runeDashboard?: DashboardHook }).runeDashboard?.position('worker'),
    );
    const started = Date.now();
    await page.mouse.click((box?.x ?? 0) + (at?.x ?? 0), (box?.y ?? 0) + (at?.y ?? 0));
    await page.locator('[data-testid="unit-count"]', { hasText: String(UNITS) }).waitFor();
    console.log(`the worker panel (${UNITS} units) opened in ${Date.now() - started} ms`);
    const rows = await page.locator('.unit-row').count();
    expect(rows).toBeGreaterThan(5);
    expect(rows).toBeLessThan(60);
    await page
      .locator('.vlist.units')
      .evaluate((el: { scrollTop: number; scrollHeight: number }) => {
        el.scrollTop = el.scrollHeight;
      });
    await page.locator(`.unit-row[data-unit="worker/${UNITS - 1}"]`).waitFor();
    expect(await page.locator('.unit-row').count()).toBeLessThan(60);
    const longest = await longestTask();
    console.log(`longest task while opening and scrolling: ${longest} ms`);
    expect(longest).toBeLessThan(LONGEST_TASK_MS);
    await page.screenshot({ path: join(ARTEFACTS, 'ten-thousand-units.png') });
  });

  it('follows a burst of 20 changes and stays responsive', async () => {
    for (let i = 1; i <= 20; i++) {
      waiting = i * 10;
      events.bump();
    }
    await page.waitForFunction(
      () =>
        (globalThis as { runeDashboard?: DashboardHook }).runeDashboard
          ?.graph()
          .nodes.find((n) => n.id === 'worker')?.worst === 'waiting',
      null,
      { timeout: 10_000 },
    );
    // A click still answers at once.
    const started = Date.now();
    await page.evaluate('new Promise((done) => requestAnimationFrame(done))');
    expect(Date.now() - started).toBeLessThan(LONGEST_TASK_MS);
    const longest = await longestTask();
    console.log(`longest task through 20 changes: ${longest} ms`);
    expect(longest).toBeLessThan(LONGEST_TASK_MS);
  });
});
