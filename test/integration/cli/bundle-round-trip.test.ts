// export-bundle and diff-bundle end to end (issue 14), as root on local machines: kubernetes-core
// deployed, exported, the export deployed for real on a fresh controller and exported again to
// the same text; diff-bundle silent until a config change, and bad input refused in one line.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../core/cli/run-cli.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/cli/bundle-round-trip.test.ts needs root (local machines)');
}

let home: string;
let files: string;
const previousHome = process.env.RUNE_HOME;
const LONG = 600_000;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  files = mkdtempSync(join(tmpdir(), 'rune-export-'));
  process.env.RUNE_HOME = home;
});

afterAll(async () => {
  await runCli('destroy-controller', 'second', '--yes');
  await runCli('destroy-controller', 'first', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

async function ok(...argv: string[]) {
  const r = await runCli(...argv);
  expect(r.code, `rune ${argv.join(' ')}: ${r.err.join('\n')}`).toBe(0);
  return r;
}

describe('export-bundle and diff-bundle on kubernetes-core', () => {
  it(
    'round-trips through a real deploy on a fresh controller to the same file',
    async () => {
      await ok('bootstrap', 'local', 'first');
      const started = Date.now();
      await ok('deploy', 'bundles/kubernetes-core.yaml', '--wait=10m');
      console.log(`kubernetes-core settled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const exported = join(files, 'first.yaml');
      await ok('export-bundle', '--output', exported);
      const text = readFileSync(exported, 'utf8');
      expect(text).toContain('  kubernetes-worker:\n    charm: kubernetes-worker\n');
      expect(text).toContain(
        '  - [kubernetes-master:kube-control, kubernetes-worker:kube-control]',
      );
      // stdout holds the same bundle (shipped charms only: no path to make relative).
      expect(`${(await ok('export-bundle')).out.join('\n')}\n`).toBe(text);
      expect((await ok('diff-bundle', exported)).out).toEqual([]);
      expect((await ok('deploy', exported)).out).toEqual(['No changes to apply.']);

      await ok('bootstrap', 'local', 'second');
      expect((await ok('deploy', exported)).out[0]).toBe('Deployed:');
      const again = join(files, 'second.yaml');
      await ok('export-bundle', '-o', again);
      expect(readFileSync(again, 'utf8')).toBe(text);
    },
    LONG,
  );

  it(
    'diff-bundle prints a config change, and nothing once it is undone',
    async () => {
      const exported = join(files, 'first.yaml');
      await ok('config', 'kubernetes-worker', 'labels=tier=web');
      expect((await ok('diff-bundle', exported)).out).toEqual([
        'applications:',
        '  kubernetes-worker:',
        '    options:',
        '      labels:',
        '        bundle: ""',
        '        model: tier=web',
      ]);
      await ok('config', 'kubernetes-worker', '--reset', 'labels');
      expect((await ok('diff-bundle', exported)).out).toEqual([]);
    },
    LONG,
  );

  it('refuses a missing file in one line and an invalid bundle by line and field, model unchanged', async () => {
    const before = (await ok('export-bundle')).out;
    const missing = await runCli('diff-bundle', join(files, 'nope.yaml'));
    expect(missing.code).toBe(1);
    expect(missing.err).toEqual([`rune: cannot read ${join(files, 'nope.yaml')}: no such file`]);
    const bad = join(files, 'bad.yaml');
    writeFileSync(bad, 'applications:\n  etcd:\n    charm: etcd\n    num_units: two\n');
    const invalid = await runCli('diff-bundle', bad);
    expect(invalid.code).toBe(1);
    expect(invalid.err[0]).toMatch(
      new RegExp(`^${bad}:4:16 applications\\.etcd\\.num_units: must be`),
    );
    // Every error, then the count, as deploy prints them.
    expect(invalid.err.slice(1)).toEqual(['bundle is invalid: 1 error, 0 warnings']);
    expect((await ok('export-bundle')).out).toEqual(before);
  });
});
