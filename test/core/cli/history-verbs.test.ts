// `rune history` and `rune rollback` from the CLI against a real in-process controller over FAKE
// machines (test/core/controller/history-setup.ts): the table, the json diffs, the rollback's
// report, and bad input — one line, exit 1, the model unchanged.
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../../core/controller/api-server.js';
import type { Controller } from '../../../core/controller/controller.js';
import type { Store } from '../../../core/store/types.js';
import { historyController, modelState, removeHistoryHomes } from '../controller/history-setup.js';
import { runCli } from './run-cli.js';

const previousHome = process.env.RUNE_HOME;
const running: Controller[] = [];
let server: Server;
let store: Store;
let bundle: string;

beforeAll(async () => {
  const m = historyController();
  running.push(m.controller);
  ({ store, bundle } = m);
  process.env.RUNE_HOME = m.home;
  server = await listen(m.controller, m.paths.socket);
  await m.controller.deploy({ bundle, overlays: [] });
  m.controller.setConfig({ application: 'counter', values: { port: '9000' }, reset: [] });
});

afterAll(async () => {
  server.close();
  server.closeAllConnections();
  await removeHistoryHomes(running);
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

describe('rune history', () => {
  it('prints the revisions oldest first, filtered to an application', async () => {
    const r = await runCli('history', 'counter');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^Rev {2}Time {18}Command +Change$/);
    expect(r.out[1]).toMatch(
      /^ {2}1 {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}deploy \S+counter\.yaml {2}counter: deployed charm counter r1 with 2 units; \+relation counter:cluster$/,
    );
    expect(r.out[2]).toMatch(/ {2}config counter port=9000 +counter: port=9000$/);
    expect((await runCli('history', 'ghost')).out).toEqual(['No model revisions touched ghost.']);
  });

  it('gives the structured diffs as json', async () => {
    const r = await runCli('history', '--format', 'json');
    const revisions = JSON.parse(r.out.join('\n')) as { revision: number; changes: unknown }[];
    expect(revisions[1]).toMatchObject({
      revision: 2,
      command: 'config counter port=9000',
      applications: ['counter'],
      changes: [{ application: 'counter', config: { added: { port: 9000 } } }],
    });
  });
});

describe('rune rollback', () => {
  it.each([
    [['ghost'], 'rune: application "ghost" not found; rune status lists the applications'],
    [
      ['counter', '--to', '7'],
      'rune: cannot roll back counter: model revision 7 is in the future: the latest is 2',
    ],
    [['counter', '--to', '0'], /^rune: cannot roll back counter: there is no model revision 0/],
    [
      ['counter', '--to', '2'],
      /^rune: cannot roll back counter: it is already as model revision 2 left it/,
    ],
    [['counter', '--canaries', 'x'], /^rune: --canaries must be a whole number, got "x"$/],
  ])('refuses %j in one line with exit 1, changing nothing', async (args, message) => {
    const before = modelState(store);
    const r = await runCli('rollback', ...args);
    expect(r).toMatchObject({ code: 1, out: [] });
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
    expect(modelState(store)).toEqual(before);
  });

  it('takes a non-number --to as a usage error', async () => {
    const r = await runCli('rollback', 'counter', '--to', 'latest');
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe('rune: --to takes a model revision number, got "latest"');
  });

  it('rolls back the latest change as a new revision and says what moved', async () => {
    const r = await runCli('rollback', 'counter', '--max-in-flight', '100%');
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(r.out).toEqual([
      'counter: back to model revision 1 as model revision 3 (options port); its units follow as the rollout reaches them (rune rollouts)',
    ]);
    expect(store.application('counter')?.config).toEqual({});
    expect(store.activeRollout('counter')?.policy.maxInFlight).toEqual({ percent: 100 });
    const history = await runCli('history');
    expect(history.out[3]).toMatch(/rollback counter --max-in-flight 100% +counter: port reset$/);
  });
});

describe('rune help', () => {
  it('lists history and rollback', async () => {
    const r = await runCli('help');
    expect(r.out.some((l) => /^ {2}history +List model revisions/.test(l))).toBe(true);
    expect(r.out.some((l) => /^ {2}rollback +Restore an application's/.test(l))).toBe(true);
  });
});
