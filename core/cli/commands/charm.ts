// `rune charm init NAME [DIR]`: a new charm folder to start from, as `charmcraft init` makes one.
// The files themselves come from core/charm/scaffold.ts; this verb checks the target and writes.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { packageRoot } from '../../charm/package-root.js';
import { checkCharmName, scaffoldCharm } from '../../charm/scaffold.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { CharmInitTargetError, UsageError } from '../errors.js';

const usage = 'rune charm init NAME [DIR]';

/** The dev tools a charm's package.json asks for: the versions Rune itself is tested with. */
const DEV_TOOLS = ['@types/node', 'typescript', 'vitest'];

function devTools(root: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  const tools: Record<string, string> = {};
  for (const name of DEV_TOOLS) tools[name] = pkg.devDependencies?.[name] ?? '*';
  return tools;
}

/** Refuses a file, or a folder with anything in it: init never overwrites. */
function checkTarget(dir: string, shown: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new CharmInitTargetError(shown, 'a-file');
  const entries = readdirSync(dir).sort();
  if (entries.length > 0) throw new CharmInitTargetError(shown, 'not-empty', entries);
}

function isInside(dir: string, root: string): boolean {
  const rel = relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export const charm: Command = {
  usage,
  help: [
    'Creates folder DIR (default ./NAME) holding a charm named NAME to start from: metadata.yaml,',
    'config.yaml, charm.ts (one reconcile, importing rune/charm), charm.test.ts (a harness test',
    "that passes) and README.md; outside Rune's own tree also package.json, tsconfig.json and",
    '.gitignore, so that `npm install && npm test` runs the test and `npm run typecheck` runs tsc.',
    "DIR must be new or empty. NAME follows Juju's rule for charm names: lowercase letters and",
    'digits in words joined by single hyphens, starting with a letter (my-charm).',
  ].join('\n'),
  run(args, io) {
    const { positionals } = parseFlags(args, {}, usage);
    const [sub, name, dir, extra] = positionals;
    if (sub !== 'init') {
      throw new UsageError(
        sub === undefined
          ? 'charm needs a subcommand: init'
          : `unknown subcommand "${sub}"; use init`,
        usage,
      );
    }
    if (name === undefined) throw new UsageError('charm init needs a charm name', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    checkCharmName(name);
    const shown = dir ?? name;
    const target = resolve(shown);
    checkTarget(target, shown);

    const root = packageRoot();
    const standalone = isInside(target, root)
      ? undefined
      : { rune: `file:${root}`, devTools: devTools(root) };
    const files = scaffoldCharm({ name, standalone });
    mkdirSync(target, { recursive: true });
    // `wx`: should something appear meanwhile, fail rather than overwrite it.
    for (const [file, text] of files) writeFileSync(join(target, file), text, { flag: 'wx' });

    io.out(`created charm ${name} in ${shown}: ${[...files.keys()].join(', ')}`);
    if (standalone) io.out(`next: cd ${shown} && npm install && npm test`);
    return 0;
  },
};
