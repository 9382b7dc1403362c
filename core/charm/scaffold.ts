// The files `rune charm init NAME` writes (after `charmcraft init`): metadata.yaml, config.yaml,
// charm.ts with one reconcile, a passing harness test, a README, and for a charm outside Rune's
// tree the package.json and tsconfig.json that let plain npm, tsc and vitest run it. Pure.
import { applicationNameProblem } from '../model/names.js';
import { InvalidCharmNameError } from './errors.js';

export interface ScaffoldOptions {
  /** The charm's name: metadata.yaml `name`, and what its first application is called. */
  name: string;
  /**
   * For a charm with its own package.json: where npm installs Rune from (`file:/path/to/rune`)
   * and the versions of the dev tools Rune itself is tested with. Absent for a charm inside
   * Rune's own tree, which imports Rune by package name through the tree's package.json.
   */
  standalone?: {
    rune: string;
    devTools: Readonly<Record<string, string>>;
  };
}

/** File name → contents, in the order they are listed to the user. */
export type ScaffoldFiles = ReadonlyMap<string, string>;

/** Throws InvalidCharmNameError, naming the rule, for a name Juju would not accept. */
export function checkCharmName(name: string): void {
  const problem = applicationNameProblem(name);
  if (problem !== undefined) throw new InvalidCharmNameError(name, problem);
}

/** Where the generated charm keeps its one workload file. */
const messageFile = (name: string): string => `/etc/${name}/message`;

function metadataYaml(name: string): string {
  return `# ${name}: Juju's metadata format (see Rune's docs/charm-authoring.md, "What a charm is").
name: ${name}
summary: One line saying what ${name} runs.
description: |
  What ${name} runs on each unit's machine, and what it offers to or needs from the
  applications it is related to.
# Endpoints, when ${name} relates to other applications:
# provides:
#   website:
#     interface: http
# requires:
#   database:
#     interface: etcd
# peers:
#   replicas:
#     interface: ${name}-replicas
`;
}

function configYaml(name: string): string {
  return `# ${name}'s options: the controller refuses values of the wrong type before any hook runs.
options:
  message:
    type: string
    default: Hello from ${name}
    description: What each unit writes to ${messageFile(name)} and shows as its status.
`;
}

function charmTs(name: string): string {
  return `// ${name}: wiring + workload. One idempotent reconcile reads the facts (config, relations,
// leadership), makes the machine match, and ends with one status; every hook without a handler
// of its own runs it. Imports only Rune's SDK, by package name.
import { type HookContext, defineCharm } from 'rune/charm';

/** Mirrors config.yaml; types ctx.config. */
export type Config = { message: string };

export const MESSAGE_FILE = '${messageFile(name)}';

async function reconcile(ctx: HookContext<Config>): Promise<void> {
  const message = ctx.config.message ?? '';
  if (message.trim() === '') {
    // Only the operator can fix this: say how, and touch nothing.
    ctx.status.set('blocked', 'set option message: rune config ${name} message=...');
    return;
  }
  // Writing the whole file every time is idempotent: the same facts give the same bytes.
  await ctx.machine.writeFile(MESSAGE_FILE, \`\${message}\\n\`, { mode: 0o644 });
  ctx.status.set('active', message);
}

export const charm = defineCharm<Config>({
  reconcile,
  on: {
    // remove is the last hook the unit ever runs: clean the machine.
    // A command's non-zero exit does not throw: check it, and throw to fail (and retry) the hook.
    remove: async (ctx) => {
      const removed = await ctx.machine.run(\`rm -f \${MESSAGE_FILE}\`);
      if (removed.code !== 0) throw new Error(\`cannot remove \${MESSAGE_FILE}: \${removed.stderr}\`);
    },
  },
});
`;
}

function charmTestTs(name: string): string {
  return `// ${name} in Rune's harness: state in → one hook → state out, on a fake machine.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Harness } from 'rune/testing';
import { MESSAGE_FILE, charm } from './charm.js';

const harness = Harness.load(fileURLToPath(new URL('.', import.meta.url)), charm);

describe('${name}', () => {
  it('install writes the message and is active', async () => {
    const out = await harness.run({ unit: '${name}/0', isLeader: true }, 'install');
    expect(out.ok).toBe(true);
    expect(out.state.machine?.files?.[MESSAGE_FILE]).toBe('Hello from ${name}\\n');
    expect(out.state.status).toEqual({ kind: 'active', message: 'Hello from ${name}' });
  });

  it('an empty message blocks the unit and touches nothing', async () => {
    const out = await harness.run({ unit: '${name}/0', config: { message: '' } }, 'config-changed');
    expect(out.state.status?.kind).toBe('blocked');
    expect(out.machineCalls).toEqual([]);
  });

  it('remove deletes the file; the fake machine answers only the commands a test lists', async () => {
    const machine = { run: { [\`rm -f \${MESSAGE_FILE}\`]: '' } };
    const out = await harness.run({ unit: '${name}/0', machine }, 'remove');
    expect(out.ok).toBe(true);
    expect(out.machineCalls).toEqual([{ op: 'run', command: \`rm -f \${MESSAGE_FILE}\` }]);
  });
});
`;
}

function readme(name: string, standalone: boolean): string {
  const setup = standalone
    ? `\`\`\`
npm install          # Rune (from the path in package.json), TypeScript and vitest
npm test             # the harness tests in charm.test.ts
npm run typecheck    # tsc
\`\`\`

package.json installs Rune from the copy that created this charm; point \`rune\` at another
path, or at a tarball made with \`npm pack\` in a Rune checkout, when that one moves.`
    : `This charm lives inside Rune's tree: Rune's own \`npm test\` and \`npm run typecheck\`
cover it once it is under a folder they include.`;
  return `# ${name}

A charm for Rune. \`charm.ts\` holds the code, \`metadata.yaml\` the endpoints, \`config.yaml\` the
options, \`charm.test.ts\` the tests; add \`actions.yaml\` for actions. Rune's
\`docs/charm-authoring.md\` explains each part.

## Test

${setup}

## Deploy

\`\`\`
rune deploy ./${name}            # from the folder holding this one
rune status
rune config ${name} message="Hi there"
\`\`\`

A bundle names this charm by its path relative to the bundle file:
\`charm: ./${name}\`.
`;
}

function packageJson(name: string, standalone: NonNullable<ScaffoldOptions['standalone']>): string {
  const pkg = {
    name,
    private: true,
    type: 'module',
    scripts: { test: 'vitest run', typecheck: 'tsc --noEmit' },
    devDependencies: { rune: standalone.rune, ...standalone.devTools },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      noEmit: true,
    },
    exclude: ['node_modules'],
  },
  null,
  2,
)}\n`;

/** The new charm's files. Throws InvalidCharmNameError for a bad name. */
export function scaffoldCharm(options: ScaffoldOptions): ScaffoldFiles {
  const { name, standalone } = options;
  checkCharmName(name);
  const files = new Map<string, string>([
    ['metadata.yaml', metadataYaml(name)],
    ['config.yaml', configYaml(name)],
    ['charm.ts', charmTs(name)],
    ['charm.test.ts', charmTestTs(name)],
    ['README.md', readme(name, standalone !== undefined)],
  ]);
  if (standalone) {
    files.set('package.json', packageJson(name, standalone));
    files.set('tsconfig.json', TSCONFIG);
    files.set('.gitignore', 'node_modules/\n');
  }
  return files;
}
