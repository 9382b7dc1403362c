// What operators ask of units, from the CLI on local machines (DESIGN §10): `rune run` queues an
// action, --wait prints its results, a failing action fails alone; `rune attach-resource` puts
// a file on the unit's machine and the unit acts on it. Bad requests change nothing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../../core/controller/api.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/cli/operator-requests.test.ts needs root (local machines)');
}

const charm = resolve('test/fixtures/charms/runtime/operator');
let home: string;
let dir: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  dir = mkdtempSync(join(tmpdir(), 'rune-files-'));
  process.env.RUNE_HOME = home;
  expect((await runCli('bootstrap', 'local', 'ops')).code).toBe(0);
});

afterAll(async () => {
  await runCli('destroy-controller', 'ops', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

async function workload(unit: string): Promise<[string, string] | undefined> {
  const s = JSON.parse(
    (await runCli('status', '--format', 'json')).out.join('\n'),
  ) as StatusResponse;
  const u = s.applications?.['op']?.units?.[unit];
  return u && [u['workload-status'].current, u['workload-status'].message];
}

describe('actions and resources from the CLI', () => {
  it('deploys a unit that is blocked, naming the resource to attach', async () => {
    expect((await runCli('deploy', charm, 'op', '--wait=3m')).code).toBe(0);
    expect(await workload('op/0')).toEqual([
      'blocked',
      'Missing payload: rune attach-resource op payload=./payload.txt',
    ]);
  });

  it('runs an action with typed params and prints its results', async () => {
    const r = await runCli('run', 'op/leader', 'echo', 'text=hi there', 'times=2', '--wait=2m');
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      expect.stringMatching(/^op\/0: echo \(action \d+\)$/),
      '  status: completed',
      '  results:',
      '    output: |',
      '      hi there',
      '      hi there',
      '    unit: op/0',
    ]);
    const queued = await runCli('run', 'op/0', 'echo', 'text=later');
    expect(queued.out[0]).toMatch(/^Queued action (\d+) \(echo on op\/0\)\.$/);
    const id = /action (\d+)/.exec(queued.out[0] ?? '')?.[1] ?? '';
    const shown = await waitFor(
      'the queued action to complete',
      async () => {
        const s = await runCli('show-action', id);
        return s.out.includes('  status: completed') && s;
      },
      { timeoutMs: 60_000 },
    );
    expect(shown.out).toEqual(expect.arrayContaining(['    output: |', '      later']));
  });

  it('fails an action alone: exit 1 with its message, the unit stays as it was', async () => {
    const r = await runCli('run', 'op/0', 'fail', '--wait=2m');
    expect(r.code).toBe(1);
    expect(r.out).toContain('  status: failed');
    expect(r.out).toContain('  message: asked to fail');
    expect((await workload('op/0'))?.[0]).toBe('blocked');
  });

  it('refuses bad action requests, queueing nothing', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['run', 'op/0', 'nope'],
        /action "nope" is not in actions.yaml of operator \(actions: echo, fail\)/,
      ],
      [['run', 'op/0', 'echo', 'times=2'], /must have required property 'text'/],
      [['run', 'op/0', 'echo', 'text=x', 'times=zero'], /times must be integer/],
      [['run', 'op/7', 'echo', 'text=x'], /unit op\/7 not found/],
      [['run', 'nope/leader', 'echo', 'text=x'], /application nope not found/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err.join('\n'), args.join(' ')).toMatch(message);
    }
    const usage = await runCli('run', 'op/0', 'echo', 'text');
    expect(usage.code).toBe(2);
    expect(usage.err.join('\n')).toMatch(/expected KEY=VALUE, got "text"/);
  });

  it('attaches a resource: the file reaches the machine and the unit acts on it', async () => {
    const file = join(dir, 'payload.txt');
    writeFileSync(file, 'hello from the operator\nsecond line\n');
    const r = await runCli('attach-resource', 'op', `payload=${file}`);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(
      /^op: resource payload revision 1 \(36 bytes, sha256 [0-9a-f]{12}…\)$/,
    );
    await waitFor(
      'op/0 to report the payload',
      async () => (await workload('op/0'))?.[1] === 'payload: hello from the operator',
      { timeoutMs: 120_000 },
    );
    const onMachine = await runCli(
      'exec',
      '--machine',
      '0',
      '--',
      'cat /var/lib/rune/resources/op/payload/payload.txt',
    );
    expect(onMachine.stdout.toString()).toBe('hello from the operator\nsecond line\n');
    // A new revision runs upgrade-charm, and the unit follows it.
    writeFileSync(file, 'revision two\n');
    expect((await runCli('attach-resource', 'op', `payload=${file}`)).out[0]).toMatch(/revision 2/);
    await waitFor(
      'op/0 to report the new payload',
      async () => (await workload('op/0'))?.[1] === 'payload: revision two',
      { timeoutMs: 120_000 },
    );
    const hooks = await runCli('debug-log', '--replay', '--no-tail', '--include', 'op/0');
    expect(hooks.out.join('\n')).toMatch(/upgrade-charm/);
  });

  it('refuses undeclared resources and unreadable files', async () => {
    const r1 = await runCli('attach-resource', 'op', `nope=${join(dir, 'payload.txt')}`);
    expect(r1.code).toBe(1);
    expect(r1.err.join('\n')).toMatch(
      /op \(charm operator\) declares no resource "nope" \(its resources: payload\)/,
    );
    const r2 = await runCli('attach-resource', 'op', `payload=${join(dir, 'missing')}`);
    expect(r2.code).toBe(1);
    expect(r2.err.join('\n')).toMatch(/missing is not a readable file \(resource payload\)/);
    expect((await workload('op/0'))?.[1]).toBe('payload: revision two');
  });
});
