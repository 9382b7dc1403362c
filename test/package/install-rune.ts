// Rune installed into a folder outside the tree as a charm author gets it: the tarball `npm pack`
// makes of the working tree (so package.json `files` and `exports` are what is tested), unpacked
// into node_modules/rune. No registry: Rune's dependencies and the dev tools (typescript, vitest,
// @types/node) are linked from the tree's own node_modules, where `npm ci` put them.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../core/charm/index.js';

const run = promisify(execFile);

const DEV_TOOLS = ['typescript', 'vitest', '@types/node'];
/** The commands the tools install in node_modules/.bin, as npm would link them. */
const BINS: Record<string, string> = { tsc: 'typescript/bin/tsc', vitest: 'vitest/vitest.mjs' };

/** `npm pack` of the working tree into `dest` (dist/ must be built: `npm test` builds first). */
export async function packRune(dest: string): Promise<string> {
  const { stdout } = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', dest],
    { cwd: packageRoot(), env: childEnv() },
  );
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (!packed) throw new Error(`npm pack printed no file: ${stdout}`);
  return join(dest, packed.filename);
}

function link(target: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
}

/** Unpacks the tarball into `<project>/node_modules/rune` and links what it and the tests need. */
export async function installRune(project: string, tarball: string): Promise<void> {
  const modules = join(project, 'node_modules');
  const rune = join(modules, 'rune');
  mkdirSync(rune, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', rune, '--strip-components=1']);
  const pkg = JSON.parse(readFileSync(join(rune, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const treeModules = join(packageRoot(), 'node_modules');
  for (const name of [...Object.keys(pkg.dependencies ?? {}), ...DEV_TOOLS]) {
    link(join(treeModules, name), join(modules, name));
  }
  for (const [bin, file] of Object.entries(BINS))
    link(join('..', file), join(modules, '.bin', bin));
}

/** The environment without what the vitest running this test set for its own workers. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(?:VITEST|FORCE_TTY$|NODE_OPTIONS$|npm_lifecycle_|npm_package_)/.test(key)) continue;
    env[key] = value;
  }
  // Plain text to match on.
  env['NO_COLOR'] = '1';
  delete env['FORCE_COLOR'];
  return env;
}

export interface ToolRun {
  code: number;
  output: string;
}

/** Runs a command in `cwd`, node_modules/.bin first on PATH as npm scripts have it. */
export async function runIn(cwd: string, command: string, args: string[]): Promise<ToolRun> {
  const env = childEnv();
  env['PATH'] = `${join(cwd, 'node_modules', '.bin')}:${env['PATH'] ?? ''}`;
  try {
    const { stdout, stderr } = await run(command, args, { cwd, env, timeout: 90_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string; message: string };
    const code = typeof e.code === 'number' ? e.code : -1;
    return { code, output: `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message };
  }
}
