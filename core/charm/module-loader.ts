// Loads a charm's code: charm.ts (or charm.js / charm.mjs) bundled by esbuild into a cache file
// named by the hash of its sources. Imports of Rune's SDK (`rune/charm`, `rune/interfaces`, or a
// relative path into core/) stay external and point at the very modules this loader runs from,
// so a charm and the controller share one core/charm instance.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Message, type Plugin, build, version as esbuildVersion } from 'esbuild';
import { loadCharm } from './loader.js';
import {
  type CharmBuildProblem,
  CharmBuildError,
  CharmCodeMissingError,
  CharmExportError,
  CharmImportError,
  CharmModuleMismatchError,
} from './module-errors.js';
import { packageRoot } from './package-root.js';
import { isSdkPackageImport, resolveSdkPackageImport } from './sdk-exports.js';
import { type CharmModule, checkCharmModule } from './sdk.js';
import type { Charm } from './types.js';

/** The names a charm's code may have, in the order they are preferred. */
export const CHARM_CODE_FILES = ['charm.ts', 'charm.js', 'charm.mjs'] as const;

/** The rooms of core/ a charm may import (STYLE.md: charms import only the SDK). */
const SDK_ROOMS = ['charm', 'interfaces'];

/** Bumped when the bundle's shape changes, so a cache written by an older Rune is not reused. */
const BUNDLE_FORMAT = 'rune-charm-bundle/1';

/**
 * The `core` folder this loader runs from, and the extension of its modules: `core/*.ts` under
 * vitest (sources run as TS), `dist/core/*.js` when built. SDK imports resolve here, so the
 * charm gets the same module instances as whoever imported this loader.
 */
const selfFile = fileURLToPath(import.meta.url);
const sdkCore = dirname(dirname(selfFile));
const sdkExt = extname(selfFile);

export interface CharmBundle {
  /** The charm's code file, absolute. */
  entry: string;
  /** The bundled module in the cache: `<cacheDir>/<hash>.mjs`. */
  file: string;
  /** sha256 of the bundle's sources (every file esbuild read), the SDK target and esbuild. */
  hash: string;
  /** False when the cache already held this hash and nothing was built. */
  built: boolean;
}

export interface LoadCharmModuleOptions {
  /** The charm's files, when the caller has loaded them already; else read from charmDir. */
  charm?: Charm;
  /** Read-only caches to look in after cacheDir, e.g. the charms bundled at build time. */
  seedDirs?: readonly string[];
}

/** Diagnostics name files as the user would type them: relative to where Rune runs, if inside. */
function label(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** The charm's code file; throws CharmCodeMissingError when the folder has none. */
export function findCharmCode(charmDir: string): string {
  const dir = resolve(charmDir);
  for (const name of CHARM_CODE_FILES) {
    const file = join(dir, name);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  throw new CharmCodeMissingError(label(dir), CHARM_CODE_FILES);
}

type SdkTarget = { file: string } | { problem: string };

/**
 * What an import that resolves to `path` inside Rune's package (`root`) becomes: the SDK module
 * this loader runs with, or a problem. Undefined when the path is not in Rune's core (the
 * charm's own files, a shared helper), which esbuild then bundles as usual. Both the sources
 * (`core/charm/index.js`, as NodeNext spells a .ts) and the build (`dist/core/...`) are accepted.
 */
function sdkTarget(path: string, root: string): SdkTarget | undefined {
  const rel = relative(root, path).split(sep).join('/');
  const inCore = rel.startsWith('dist/core/') ? rel.slice('dist/'.length) : rel;
  if (!inCore.startsWith('core/') && inCore !== 'core') return undefined;
  const [, room, ...rest] = inCore.split('/');
  if (room === undefined || !SDK_ROOMS.includes(room)) {
    return {
      problem: `charms import only Rune's SDK (rune/charm, rune/interfaces), not ${inCore}`,
    };
  }
  const name = rest.join('/').replace(/\.(?:[mc]?js|[mc]?ts)$/, '') || 'index';
  for (const candidate of [`${name}${sdkExt}`, `${name}/index${sdkExt}`]) {
    const file = join(sdkCore, room, candidate);
    if (existsSync(file) && statSync(file).isFile()) return { file };
  }
  return { problem: `${inCore} is no module of Rune's SDK (looked in ${join(sdkCore, room)})` };
}

/** Keeps SDK imports external, rewritten to file URLs of the loader's own SDK modules. */
function sdkPlugin(root: string): Plugin {
  return {
    name: 'rune-sdk',
    setup(b) {
      // Relative and absolute paths (into Rune's core/ from a charm in its tree), and the
      // package names of package.json `exports`, which a charm anywhere imports.
      b.onResolve({ filter: /^(?:\.\.?(?:\/|$)|\/|rune(?:\/|$))/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        let path: string;
        if (isSdkPackageImport(args.path)) {
          const exported = resolveSdkPackageImport(args.path, root);
          if ('problem' in exported) return { errors: [{ text: exported.problem }] };
          path = exported.file;
        } else {
          path = resolve(args.resolveDir, args.path);
        }
        const target = sdkTarget(path, root);
        if (target === undefined) return undefined;
        if ('problem' in target) return { errors: [{ text: target.problem }] };
        return { path: pathToFileURL(target.file).href, external: true };
      });
    },
  };
}

function sha256(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The cache key: what was bundled (every input's path and content) and what it links to. */
function sourcesHash(entry: string, inputs: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(`${BUNDLE_FORMAT}\0esbuild ${esbuildVersion}\0${sdkCore}${sdkExt}\0${entry}\0`);
  for (const file of [...inputs].sort()) {
    hash.update(`${file}\0`);
    hash.update(fileDigest(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Each source's digest, kept while its stat is unchanged: every hook looks its charm up here,
 * and reading and hashing a charm's ~50 inputs (node-forge's among them) each time cost more
 * than the hook's own work. */
const digests = new Map<string, { stamp: string; digest: string }>();

function fileDigest(file: string): string {
  let stamp: string;
  try {
    const st = statSync(file, { bigint: true });
    stamp = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    // A source that is gone since the last build: the key changes and the charm is rebuilt.
    digests.delete(file);
    return 'missing';
  }
  const known = digests.get(file);
  if (known?.stamp === stamp) return known.digest;
  let digest: string;
  try {
    digest = createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return 'missing';
  }
  digests.set(file, { stamp, digest });
  return digest;
}

/** Where the cache remembers which files the last build of a charm read, to hash them next time
 * without building. */
function sourcesListFile(entry: string, cacheDir: string): string {
  return join(cacheDir, `sources-${sha256(`${entry}\0${sdkCore}`).slice(0, 32)}.json`);
}

function readSourcesList(file: string): string[] | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { inputs?: unknown };
    const inputs = data.inputs;
    return Array.isArray(inputs) && inputs.every((i) => typeof i === 'string') ? inputs : undefined;
  } catch {
    return undefined;
  }
}

/** Written beside, then renamed: a concurrent reader never imports half a bundle. */
function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

function problemOf(message: Message, workDir: string, entry: string): CharmBuildProblem {
  const at = message.location;
  if (!at) return { file: label(entry), line: 1, column: 1, message: message.text };
  return {
    file: label(resolve(workDir, at.file)),
    line: at.line,
    // esbuild counts columns from 0; editors and STYLE.md's message shape count from 1.
    column: at.column + 1,
    message: message.text,
  };
}

function isBuildFailure(error: unknown): error is { errors: Message[] } {
  return (
    typeof error === 'object' &&
    error !== null &&
    Array.isArray((error as { errors?: unknown }).errors)
  );
}

/**
 * Bundles the charm's code into `<cacheDir>/<hash>.mjs`, or finds it there: a charm whose sources
 * are unchanged is not rebuilt (a controller restart reuses the cache). Throws CharmBuildError.
 */
export async function bundleCharmCode(
  codeFile: string,
  cacheDir: string,
  seedDirs: readonly string[] = [],
): Promise<CharmBundle> {
  const entry = resolve(codeFile);
  const cache = resolve(cacheDir);
  mkdirSync(cache, { recursive: true });
  const listFile = sourcesListFile(entry, cache);
  // The writable cache first, then the read-only ones built with Rune (`npm run build`).
  for (const dir of [cache, ...seedDirs.map((d) => resolve(d))]) {
    const known = readSourcesList(sourcesListFile(entry, dir));
    if (!known) continue;
    const hash = sourcesHash(entry, known);
    const file = join(dir, `${hash}.mjs`);
    if (existsSync(file)) return { entry, file, hash, built: false };
  }

  const workDir = dirname(entry);
  let text: string;
  let inputs: string[];
  try {
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: workDir,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      metafile: true,
      // Stack traces of a failing hook lead back to charm.ts (with --enable-source-maps).
      sourcemap: 'inline',
      // Any name inside the cache: source-map paths are relative to it, like the real file's.
      outfile: join(cache, 'charm.mjs'),
      logLevel: 'silent',
      // CommonJS libraries bundled into an ES module (node-forge) still call require() for
      // Node's builtins; plain Node gives an ES module none, so the bundle makes its own.
      banner: {
        js: "import { createRequire as __runeCreateRequire } from 'node:module'; const require = __runeCreateRequire(import.meta.url);",
      },
      plugins: [sdkPlugin(packageRoot())],
    });
    text = result.outputFiles[0]?.text ?? '';
    inputs = Object.keys(result.metafile.inputs).map((input) => resolve(workDir, input));
  } catch (error) {
    if (!isBuildFailure(error)) throw error;
    const problems = error.errors.map((m) => problemOf(m, workDir, entry));
    throw new CharmBuildError(label(entry), problems);
  }
  // Hashed after the build from the files esbuild read, so helpers and shared files count too.
  const hash = sourcesHash(entry, inputs);
  const file = join(cache, `${hash}.mjs`);
  writeAtomically(file, text);
  writeAtomically(listFile, `${JSON.stringify({ entry, inputs }, null, 2)}\n`);
  return { entry, file, hash, built: true };
}

function isCharmModule(value: unknown): value is CharmModule {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof CharmModule, unknown>>;
  return (
    v.kind === 'rune-charm' &&
    typeof v.on === 'object' &&
    v.on !== null &&
    typeof v.actions === 'object' &&
    v.actions !== null
  );
}

/** `export const charm = defineCharm(...)` (the convention), else the default export. */
function charmExport(namespace: Record<string, unknown>, entry: string): CharmModule {
  const name = 'charm' in namespace ? 'charm' : 'default' in namespace ? 'default' : undefined;
  const exported = Object.keys(namespace).sort();
  if (name === undefined) throw new CharmExportError(entry, exported);
  const value = namespace[name];
  if (!isCharmModule(value)) throw new CharmExportError(entry, exported, name);
  return value;
}

/**
 * A charm folder's code, built (or taken from the cache), imported and checked against the
 * charm's metadata.yaml and actions.yaml. Changed sources get a new cache file and so a fresh
 * module; unchanged ones return the module already imported.
 */
export async function loadCharmModule(
  charmDir: string,
  cacheDir: string,
  options: LoadCharmModuleOptions = {},
): Promise<CharmModule> {
  const charm = options.charm ?? loadCharm(charmDir);
  const entry = findCharmCode(charmDir);
  const bundle = await bundleCharmCode(entry, cacheDir, options.seedDirs);
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(bundle.file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CharmImportError(label(entry), error);
  }
  const module = charmExport(namespace, label(entry));
  const problems = checkCharmModule(module, charm);
  if (problems.length > 0) throw new CharmModuleMismatchError(label(entry), problems);
  return module;
}
