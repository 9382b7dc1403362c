// Issue 13, item 3: a charm in any folder imports Rune by package name (rune/charm,
// rune/interfaces, rune/testing), typechecks with plain tsc and tests with plain vitest. Rune is
// installed from the working tree's `npm pack` into folders outside it; dist/ must be built
// (`npm test` builds first). Also runs what `rune charm init` makes there with its own scripts.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCharmModule, packageRoot } from '../../core/charm/index.js';
import { runCli } from '../core/cli/run-cli.js';
import { installRune, packRune, runIn } from './install-rune.js';

const scratch = mkdtempSync(join(tmpdir(), 'rune-out-of-tree-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let tarball = '';
beforeAll(async () => {
  const built = join(packageRoot(), 'dist/core/charm/public-sdk.d.ts');
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first`);
  tarball = await packRune(scratch);
}, 60_000);

/** What a charm author outside Rune writes next to charm.ts: ESM, and tsc with strict rules.
 * No skipLibCheck: Rune's shipped declarations must check on their own. */
const PACKAGE_JSON = { name: 'greeter', private: true, type: 'module' };
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
  },
  exclude: ['node_modules'],
};

describe('a charm outside the tree, with Rune installed from npm pack', () => {
  it('docs/examples/greeter passes plain tsc and plain vitest run', async () => {
    const dir = join(scratch, 'greeter');
    cpSync(join(packageRoot(), 'docs/examples/greeter'), dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify(PACKAGE_JSON));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    await installRune(dir, tarball);
    // Only dist/ ships: rune/* resolve to the built JS and .d.ts, never to the tree's sources.
    expect(existsSync(join(dir, 'node_modules/rune/core'))).toBe(false);
    expect(readFileSync(join(dir, 'charm.ts'), 'utf8')).not.toMatch(/from '\.\.?\//);

    const tsc = await runIn(dir, 'tsc', ['--noEmit']);
    expect(tsc.output).toBe('');
    expect(tsc.code).toBe(0);
    const vitest = await runIn(dir, 'vitest', ['run']);
    expect(vitest.code, vitest.output).toBe(0);
    expect(vitest.output).toMatch(/Tests +10 passed/);

    // The deploy-time bundler resolves the same names to the controller's own SDK, not to the
    // copy in the charm's node_modules.
    const module = await loadCharmModule(dir, join(scratch, 'cache'));
    expect(Object.keys(module.on).sort()).toEqual(['remove', 'stop']);
  }, 120_000);

  it('a charm made by rune charm init passes its own npm test and npm run typecheck', async () => {
    const dir = join(scratch, 'hello');
    const init = await runCli('charm', 'init', 'hello', dir);
    expect(init.code, init.err.join('\n')).toBe(0);
    // package.json asks for Rune by a file: path to this tree; here the packed copy stands in.
    await installRune(dir, tarball);

    const test = await runIn(dir, 'npm', ['test']);
    expect(test.code, test.output).toBe(0);
    expect(test.output).toMatch(/Tests +3 passed/);
    const typecheck = await runIn(dir, 'npm', ['run', 'typecheck']);
    expect(typecheck.code, typecheck.output).toBe(0);
  }, 120_000);
});
