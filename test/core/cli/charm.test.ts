// `rune charm init NAME [DIR]`: the files it writes, that the charm loads with Rune's loader and
// passes its own harness checks, and what it refuses (bad names, folders in use, bad usage).
// test/package/out-of-tree.test.ts runs the generated charm's own npm test and typecheck.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Harness, loadCharm, loadCharmModule, packageRoot } from '../../../core/charm/index.js';
import { scaffoldCharm } from '../../../core/charm/scaffold.js';
import { runCli } from './run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'rune-charm-init-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const rune = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

describe('rune charm init', () => {
  it('writes a charm that Rune loads and whose reconcile passes the harness', async () => {
    const dir = join(scratch, 'web-cache');
    const r = await runCli('charm', 'init', 'web-cache', dir);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      `created charm web-cache in ${dir}: metadata.yaml, config.yaml, charm.ts, charm.test.ts, README.md, package.json, tsconfig.json, .gitignore`,
      `next: cd ${dir} && npm install && npm test`,
    ]);
    expect(readdirSync(dir).sort()).toEqual([
      '.gitignore',
      'README.md',
      'charm.test.ts',
      'charm.ts',
      'config.yaml',
      'metadata.yaml',
      'package.json',
      'tsconfig.json',
    ]);
    expect(loadCharm(dir).meta.name).toBe('web-cache');
    expect(readFileSync(join(dir, 'charm.ts'), 'utf8')).toContain("from 'rune/charm'");

    const module = await loadCharmModule(dir, join(scratch, 'cache'));
    const harness = Harness.load(dir, module);
    const out = await harness.run({ unit: 'web-cache/0', isLeader: true }, 'install');
    expect(out.ok).toBe(true);
    expect(out.state.status).toEqual({ kind: 'active', message: 'Hello from web-cache' });
    expect(out.state.machine?.files?.['/etc/web-cache/message']).toBe('Hello from web-cache\n');
    const blocked = await harness.run({ unit: 'web-cache/0', config: { message: '' } }, 'start');
    expect(blocked.state.status).toEqual({
      kind: 'blocked',
      message: 'set option message: rune config web-cache message=...',
    });
  });

  it('asks npm for this Rune by path and for the dev tools Rune is tested with', async () => {
    const dir = join(scratch, 'deps');
    expect((await runCli('charm', 'init', 'deps', dir)).code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as unknown;
    expect(pkg).toEqual({
      name: 'deps',
      private: true,
      type: 'module',
      scripts: { test: 'vitest run', typecheck: 'tsc --noEmit' },
      devDependencies: {
        rune: `file:${packageRoot()}`,
        '@types/node': rune.devDependencies['@types/node'],
        typescript: rune.devDependencies['typescript'],
        vitest: rune.devDependencies['vitest'],
      },
    });
  });

  it('defaults DIR to ./NAME and accepts an empty folder', async () => {
    const cwd = process.cwd();
    process.chdir(scratch);
    try {
      expect((await runCli('charm', 'init', 'here')).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(join(scratch, 'here', 'charm.ts'))).toBe(true);
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    expect((await runCli('charm', 'init', 'empty', empty)).code).toBe(0);
  });

  it('refuses a folder that holds anything, and overwrites nothing', async () => {
    const dir = join(scratch, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'charm.ts'), 'mine');
    const r = await runCli('charm', 'init', 'taken', dir);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      `rune: cannot create a charm in "${dir}": the folder is not empty (charm.ts); name a new or empty folder`,
    ]);
    expect(readdirSync(dir)).toEqual(['charm.ts']);
    expect(readFileSync(join(dir, 'charm.ts'), 'utf8')).toBe('mine');
  });

  it('refuses a file as DIR', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    const r = await runCli('charm', 'init', 'x', file);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([`rune: cannot create a charm in "${file}": it is a file`]);
  });

  it.each([
    ['Web', 'must start with a lowercase letter'],
    ['2web', 'must start with a lowercase letter'],
    ['web_cache', 'may hold only lowercase letters, digits and hyphens'],
    ['web--cache', 'must not have a doubled or trailing hyphen'],
    ['web-', 'must not have a doubled or trailing hyphen'],
    ['web-2', 'must not have a hyphen followed only by digits'],
  ])('refuses charm name %s: %s', async (name, rule) => {
    const dir = join(scratch, `bad-${readdirSync(scratch).length}`);
    const r = await runCli('charm', 'init', name, dir);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      `rune: invalid charm name "${name}": ${rule} (a charm name is lowercase letters and digits in words joined by single hyphens, starting with a letter, e.g. my-charm)`,
    ]);
    expect(existsSync(dir)).toBe(false);
  });

  it.each([
    [[], 'charm needs a subcommand: init'],
    [['new', 'x'], 'unknown subcommand "new"; use init'],
    [['init'], 'charm init needs a charm name'],
    [['init', 'x', 'dir', 'more'], 'unexpected argument "more"'],
  ])('usage error for charm %j', async (args, problem) => {
    const r = await runCli('charm', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`rune: ${problem}`, 'usage: rune charm init NAME [DIR]']);
  });
});

describe('scaffoldCharm inside Rune’s tree', () => {
  it('writes no package.json or tsconfig.json: the tree’s own apply', () => {
    const files = scaffoldCharm({ name: 'inside' });
    expect([...files.keys()]).toEqual([
      'metadata.yaml',
      'config.yaml',
      'charm.ts',
      'charm.test.ts',
      'README.md',
    ]);
    expect(files.get('README.md')).toContain("This charm lives inside Rune's tree");
  });
});
