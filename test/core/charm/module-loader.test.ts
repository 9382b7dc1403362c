// The charm module loader: runtime charms built from TS, helpers bundled, SDK imports sharing the
// test's own module instances, the cache reused, and each failure named with its file and place.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CharmBuildError,
  CharmCodeMissingError,
  CharmDefinitionError,
  CharmExportError,
  CharmImportError,
  CharmModuleMismatchError,
  Harness,
  bundleCharmCode,
  defineCharm,
  loadCharmModule,
  packageRoot,
} from '../../../core/charm/index.js';
import { schemaValidateWrite } from '../../../core/interfaces/index.js';

const runtime = fileURLToPath(new URL('../../fixtures/charms/runtime', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'rune-module-loader-'));
const cacheDir = join(scratch, 'cache');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let charms = 0;
/** A charm folder in the scratch dir; `SDK` in a file stands for the relative path to core/. */
function writeCharm(files: Record<string, string>, metadata = ''): string {
  const dir = join(scratch, `charm-${++charms}`);
  mkdirSync(dir, { recursive: true });
  const sdk = relative(dir, join(packageRoot(), 'core'));
  writeFileSync(
    join(dir, 'metadata.yaml'),
    `name: t${charms}\nsummary: s\ndescription: d\n${metadata}`,
  );
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text.replaceAll('SDK', sdk));
  }
  return dir;
}

const caught = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );

describe('loadCharmModule', () => {
  it.each(['peer-counter', 'kv-provider', 'kv-consumer', 'sidecar', 'sidecar-host', 'flaky'])(
    'loads runtime charm %s from TS, its ../lib helper bundled, and runs install',
    async (name) => {
      const dir = join(runtime, name);
      const module = await loadCharmModule(dir, cacheDir);
      expect(module.kind).toBe('rune-charm');
      expect(Object.keys(module.on).sort()).toEqual(['remove', 'stop']);
      const out = await Harness.load(dir, module).run({ unit: `${name}/0` }, 'install');
      expect(out.state.machine?.files?.[`/var/lib/rune-test/${name}-0.hooks`]).toBe('install\n');
    },
  );

  it('gives the charm the same SDK module instances the caller has', async () => {
    const dir = writeCharm({
      'charm.ts': [
        `import { CharmDefinitionError, defineCharm } from 'SDK/charm/index.js';`,
        `export { defineCharm as sdkDefineCharm };`,
        `export const charm = defineCharm({`,
        `  on: { install: () => { throw new CharmDefinitionError(['thrown by the charm']); } },`,
        `});`,
        ``,
      ].join('\n'),
    });
    const bundle = await bundleCharmCode(join(dir, 'charm.ts'), cacheDir);
    const namespace = (await import(pathToFileURL(bundle.file).href)) as Record<string, unknown>;
    expect(namespace['sdkDefineCharm']).toBe(defineCharm);
    // What the runtime relies on: typed errors from charm code pass the controller's instanceof.
    const module = await loadCharmModule(dir, cacheDir);
    expect(module).toBe(namespace['charm']);
    const out = await Harness.load(dir, module).run({ unit: 't/0' }, 'install');
    expect(out.error).toBeInstanceOf(CharmDefinitionError);
  });

  it('bundles a relative helper and rebuilds when only the helper changes', async () => {
    const dir = writeCharm({
      'charm.ts': [
        `import { defineCharm } from 'SDK/charm/index.js';`,
        `import { message } from './workload.js';`,
        `export const charm = defineCharm({ reconcile: (ctx) => ctx.status.set('active', message()) });`,
        ``,
      ].join('\n'),
      'workload.ts': `export const message = (): string => 'from the helper';\n`,
    });
    const first = await loadCharmModule(dir, cacheDir);
    const before = await Harness.load(dir, first).run({ unit: 't/0' }, 'start');
    expect(before.state.status?.message).toBe('from the helper');

    writeFileSync(join(dir, 'workload.ts'), `export const message = (): string => 'changed';\n`);
    const second = await loadCharmModule(dir, cacheDir);
    expect(second).not.toBe(first);
    const after = await Harness.load(dir, second).run({ unit: 't/0' }, 'start');
    expect(after.state.status?.message).toBe('changed');
  });

  it('reuses the cache: the second load builds nothing and returns the same module', async () => {
    const dir = join(runtime, 'kv-consumer');
    const cache = join(scratch, 'cache-reuse');
    const first = await bundleCharmCode(join(dir, 'charm.ts'), cache);
    expect(first.built).toBe(true);
    expect(first.file).toBe(join(cache, `${first.hash}.mjs`));
    const mtime = statSync(first.file).mtimeMs;
    const second = await bundleCharmCode(join(dir, 'charm.ts'), cache);
    expect(second).toEqual({ ...first, built: false });
    expect(statSync(second.file).mtimeMs).toBe(mtime);
    expect(await loadCharmModule(dir, cache)).toBe(await loadCharmModule(dir, cache));
  });

  it("takes a bundle from a read-only seed cache (the build's shipped charms) without building", async () => {
    const dir = join(runtime, 'kv-provider');
    const seed = join(scratch, 'cache-seed');
    const own = join(scratch, 'cache-own');
    const shipped = await bundleCharmCode(join(dir, 'charm.ts'), seed);
    const found = await bundleCharmCode(join(dir, 'charm.ts'), own, [seed]);
    expect(found).toEqual({ ...shipped, built: false });
    expect(readdirSync(own)).toEqual([]);
    const module = await loadCharmModule(dir, own, { seedDirs: [seed] });
    expect(module.kind).toBe('rune-charm');
  });

  it('builds into its own cache when the seed holds an older bundle of edited sources', async () => {
    const dir = writeCharm({
      'charm.ts': [
        `import { defineCharm } from 'SDK/charm/index.js';`,
        `export const charm = defineCharm({ reconcile: (ctx) => ctx.status.set('active', 'old') });`,
        ``,
      ].join('\n'),
    });
    const seed = join(scratch, 'cache-seed-stale');
    const own = join(scratch, 'cache-own-stale');
    await bundleCharmCode(join(dir, 'charm.ts'), seed);
    writeFileSync(
      join(dir, 'charm.ts'),
      readFileSync(join(dir, 'charm.ts'), 'utf8').replace("'old'", "'new'"),
    );
    const module = await loadCharmModule(dir, own, { seedDirs: [seed] });
    const out = await Harness.load(dir, module).run({ unit: 't/0' }, 'start');
    expect(out.state.status?.message).toBe('new');
  });

  it('gives rune/charm, rune/interfaces and rune/testing the caller’s own modules', async () => {
    const dir = writeCharm({
      'charm.ts': [
        `import { defineCharm } from 'rune/charm';`,
        `import { schemaValidateWrite } from 'rune/interfaces';`,
        `import { Harness } from 'rune/testing';`,
        `export { defineCharm, schemaValidateWrite, Harness };`,
        `export const charm = defineCharm({ reconcile: (ctx) => ctx.status.set('active', 'ts') });`,
        ``,
      ].join('\n'),
    });
    const bundle = await bundleCharmCode(join(dir, 'charm.ts'), cacheDir);
    const namespace = (await import(pathToFileURL(bundle.file).href)) as Record<string, unknown>;
    expect(namespace['defineCharm']).toBe(defineCharm);
    expect(namespace['schemaValidateWrite']).toBe(schemaValidateWrite);
    expect(namespace['Harness']).toBe(Harness);
  });

  it('accepts charm.js and a default export', async () => {
    const dir = writeCharm({
      'charm.js': [
        `import { defineCharm } from 'rune/charm';`,
        `export default defineCharm({ reconcile: (ctx) => ctx.status.set('active', 'js') });`,
        ``,
      ].join('\n'),
    });
    const module = await loadCharmModule(dir, cacheDir);
    const out = await Harness.load(dir, module).run({ unit: 't/0' }, 'start');
    expect(out.state.status?.message).toBe('js');
  });
});

describe('loadCharmModule errors', () => {
  it('names a folder without code and the files it looked for', async () => {
    const dir = writeCharm({});
    const error = await caught(loadCharmModule(dir, cacheDir));
    expect(error).toBeInstanceOf(CharmCodeMissingError);
    expect(String(error)).toContain('has no code: add charm.ts, or charm.js, or charm.mjs');
  });

  it('reports a syntax error at file:line:column with esbuild’s message', async () => {
    const dir = writeCharm({
      'charm.ts': [
        `import { defineCharm } from 'SDK/charm/index.js';`,
        `const port = ;`,
        `export const charm = defineCharm({});`,
        ``,
      ].join('\n'),
    });
    const error = await caught(loadCharmModule(dir, cacheDir));
    expect(error).toBeInstanceOf(CharmBuildError);
    const problem = (error as CharmBuildError).problems[0];
    expect(problem).toMatchObject({ line: 2, column: 14, message: 'Unexpected ";"' });
    expect(resolve(problem?.file ?? '')).toBe(join(dir, 'charm.ts'));
    expect((error as Error).message).toMatch(/charm\.ts:2:14 Unexpected ";"$/);
  });

  it('refuses an import of Rune outside the SDK, at the import', async () => {
    const dir = writeCharm({
      'charm.ts': [
        `import { defineCharm } from 'SDK/charm/index.js';`,
        `import { parseUnitName } from 'SDK/model/names.js';`,
        `export const charm = defineCharm({ reconcile: () => void parseUnitName('a/0') });`,
        ``,
      ].join('\n'),
    });
    const error = await caught(loadCharmModule(dir, cacheDir));
    expect(error).toBeInstanceOf(CharmBuildError);
    expect(String(error)).toMatch(
      /charm\.ts:2:31 charms import only Rune's SDK \(rune\/charm, rune\/interfaces\), not core\/model\/names\.js/,
    );
  });

  it('refuses a package name Rune does not export, naming those it does', async () => {
    const dir = writeCharm({
      'charm.ts': [
        `import { defineCharm } from 'rune/core/charm/index.js';`,
        `export const charm = defineCharm({});`,
        ``,
      ].join('\n'),
    });
    const error = await caught(loadCharmModule(dir, cacheDir));
    expect(error).toBeInstanceOf(CharmBuildError);
    expect(String(error)).toContain(
      'charm.ts:1:29 Rune does not export "rune/core/charm/index.js"; charms import rune/charm, rune/interfaces, rune/testing',
    );
  });

  it('says what a module exports when it exports no charm', async () => {
    const dir = writeCharm({ 'charm.ts': `export const notACharm = 1;\n` });
    const error = await caught(loadCharmModule(dir, cacheDir));
    expect(error).toBeInstanceOf(CharmExportError);
    expect(String(error)).toMatch(
      /charm\.ts exports no charm \(it exports notACharm\); add `export const charm = defineCharm/,
    );
    const fake = writeCharm({ 'charm.ts': `export const charm = { kind: 'other' };\n` });
    expect(String(await caught(loadCharmModule(fake, cacheDir)))).toContain(
      'export "charm" is not a defineCharm() result',
    );
  });

  it('wraps what the module throws while loading', async () => {
    const dir = writeCharm({
      'charm.ts': [
        `import { defineCharm } from 'SDK/charm/index.js';`,
        `export const charm = defineCharm({ on: { 'instal': () => {} } });`,
        ``,
      ].join('\n'),
    });
    const error = await caught(loadCharmModule(dir, cacheDir));
    expect(error).toBeInstanceOf(CharmImportError);
    expect((error as CharmImportError).reason).toBeInstanceOf(CharmDefinitionError);
    expect(String(error)).toContain('on["instal"] matches no hook');
  });

  it('refuses handlers for endpoints or actions the charm’s files lack', async () => {
    const dir = writeCharm(
      {
        'charm.ts': [
          `import { defineCharm } from 'SDK/charm/index.js';`,
          `export const charm = defineCharm({`,
          `  on: { 'db-relation-joined': () => {} },`,
          `  actions: { backup: () => {} },`,
          `});`,
          ``,
        ].join('\n'),
      },
      'requires:\n  website:\n    interface: http\n',
    );
    const error = await caught(loadCharmModule(dir, cacheDir));
    expect(error).toBeInstanceOf(CharmModuleMismatchError);
    expect((error as CharmModuleMismatchError).problems).toEqual([
      expect.stringMatching(
        /^on\["db-relation-joined"\]: charm t\d+ has no endpoint "db" \(endpoints: website\)$/,
      ),
      expect.stringMatching(/^actions\["backup"\]: actions\.yaml of t\d+ declares no such action$/),
    ]);
  });
});

// The built controller runs dist/core/...; there the charm must get dist's SDK modules. Needs
// `npm run build` first (npm test builds first); without it the test fails and says so.
const distIndex = join(packageRoot(), 'dist/core/charm/index.js');
const distLoader = join(dirname(distIndex), 'module-loader.js');

describe('built (dist) mode', () => {
  it('resolves SDK imports to dist/core and runs a hook through dist’s runHook', async () => {
    if (!existsSync(distLoader))
      throw new Error(`${distLoader} is missing: run npm run build first`);
    const script = [
      `const sdk = await import(${JSON.stringify(pathToFileURL(distIndex).href)});`,
      `const dir = ${JSON.stringify(join(runtime, 'peer-counter'))};`,
      `const cache = ${JSON.stringify(join(scratch, 'cache-dist'))};`,
      `const module = await sdk.loadCharmModule(dir, cache);`,
      `const bundle = await sdk.bundleCharmCode(dir + '/charm.ts', cache);`,
      `const { readFileSync } = await import('node:fs');`,
      `const out = await sdk.Harness.load(dir, module).run({ unit: 'peer-counter/0' }, 'install');`,
      `console.log(JSON.stringify({ built: bundle.built, status: out.state.status,`,
      `  linksDist: readFileSync(bundle.file, 'utf8').includes('/dist/core/charm/public-sdk.js') }));`,
    ].join('\n');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script],
      { cwd: packageRoot() },
    );
    expect(JSON.parse(stdout)).toEqual({
      built: false,
      status: { kind: 'active', message: '0 peers' },
      linksDist: true,
    });
  });
});
