// `rune deploy BUNDLE|CHARM [APP] [-n N] [--to P] [--config k=v|FILE] [--overlay F]... [--dry-run]
// [--wait[=T]]`: a bundle file, or one charm (a name from charms/ or a folder) written as a
// one-application bundle so both take the same validation. A charm's `--to N` is the model's
// machine N, as Juju's: the bundle declares it and the controller maps it to the existing one.
// --dry-run needs no controller.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { applicationNameProblem, quotedName } from '../../model/names.js';
import { parseFlags } from '../args.js';
import { asTyped, sendBundle, validateHere } from '../bundle-input.js';
import type { Command } from '../command.js';
import { controllerClient, reach } from '../controller-access.js';
import { deployThrough } from '../deploy-through.js';
import { ConfigValueError, UsageError } from '../errors.js';
import { parseDuration, waitForUnits } from '../wait-units.js';

const usage =
  'rune deploy BUNDLE|CHARM [APP] [-n N] [--to P] [--config k=v]... [--overlay FILE]... [--dry-run] [--wait[=T]]';

const isBundleFile = (arg: string) => {
  try {
    return statSync(arg).isFile();
  } catch {
    return /\.ya?ml$/.test(arg);
  }
};

/** A charm deployed on its own, as the one-application bundle it amounts to. */
async function charmBundle(
  charm: string,
  app: string | undefined,
  units: number,
  to: string | undefined,
  config: string[],
): Promise<{ file: string; cleanup: () => void; existingMachines: boolean }> {
  const [{ stringify }, { validateConfigValues }, { CharmRepository }] = await Promise.all([
    import('yaml'),
    import('../../charm/config.js'),
    import('../../charm/repository.js'),
  ]);
  const given: Record<string, string> = {};
  for (const pair of config) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--config takes key=value, got "${pair}"`, usage);
    given[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const ref = charm.startsWith('.') || charm.startsWith('/') ? resolve(charm) : charm;
  // CLI values are strings: coerce them by the charm's config.yaml (port=2379 is an int).
  const loaded = new CharmRepository().load(ref, process.cwd());
  const { values: options, problems } = validateConfigValues(
    loaded.meta.name,
    loaded.config,
    given,
    'coerce',
  );
  if (problems.length > 0) {
    throw new ConfigValueError(problems.map((p) => `--config ${p.option}: ${p.message}`));
  }
  const name = app ?? basename(ref);
  // Checked here: the bundle written below is a temporary file the user never saw.
  const problem = applicationNameProblem(name);
  if (problem !== undefined) {
    throw new UsageError(`invalid application name ${quotedName(name)}: ${problem}`, usage);
  }
  const body: Record<string, unknown> = { charm: ref, num_units: units };
  const directives = to?.split(',') ?? [];
  if (directives.length > 0) body.to = directives;
  if (Object.keys(options).length > 0) body.options = options;
  const machines = machinesOf(directives);
  const bundle = {
    applications: { [name]: body },
    ...(machines.length > 0 ? { machines: Object.fromEntries(machines.map((m) => [m, {}])) } : {}),
  };
  const dir = mkdtempSync(join(tmpdir(), 'rune-deploy-'));
  const file = join(dir, 'bundle.yaml');
  writeFileSync(file, stringify(bundle));
  return {
    file,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    existingMachines: machines.length > 0,
  };
}

/** The machine ids `--to` names (`1`, `lxd:1`), each once, in order. */
export function machinesOf(directives: readonly string[]): string[] {
  const ids = directives.flatMap((d) => /^(?:[a-z]+:)?(\d+)$/.exec(d)?.[1] ?? []);
  return [...new Set(ids)];
}

export const deploy: Command = {
  usage,
  help: [
    'Deploys BUNDLE (a Juju-format bundle file, with any overlays merged in order), or one',
    'CHARM (a name from charms/ or a ./path) as application APP. The controller plans against',
    'the live model: deploying the same bundle again changes nothing.',
    '',
    'Flags:',
    '  --overlay FILE  merge FILE over the bundle (repeatable; applied in order)',
    '  -n N            units of a charm (default 1)',
    "  --to P          where a charm's units go: existing machine N (or lxd:N), or new",
    '                  (comma-separated, one per unit; units beyond them get new machines)',
    '  --config k=v    an option value for a charm (repeatable; strings are coerced)',
    '  --dry-run       print the changes and touch nothing (needs no controller)',
    '  --wait[=T]      wait until every unit is idle (exit 0) or one is in error (exit 1);',
    '                  a controller lost meanwhile is started again and waited for',
    '',
    'An invalid bundle prints every error with file:line:column and exits 1.',
  ].join('\n'),
  async run(args, io) {
    // `--wait` alone or `--wait=10m`: parseArgs has no optional values, so split it here.
    const wait = args.find((a) => a === '--wait' || a.startsWith('--wait='));
    const { values, positionals } = parseFlags(
      args.filter((a) => a !== wait),
      {
        overlay: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean' },
        n: { type: 'string', short: 'n' },
        to: { type: 'string' },
        config: { type: 'string', multiple: true },
      },
      usage,
    );
    const [target, app, extra] = positionals;
    if (target === undefined) throw new UsageError('deploy needs a bundle file', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const timeoutMs = wait?.includes('=') ? parseDuration(wait.slice('--wait='.length)) : 600_000;
    if (timeoutMs === undefined) throw new UsageError(`invalid --wait duration "${wait}"`, usage);
    const bundleFile = isBundleFile(target);
    if (
      bundleFile &&
      (app !== undefined || values.n !== undefined || values.to !== undefined || values.config)
    ) {
      throw new UsageError('APP, -n, --to and --config apply to a charm, not a bundle', usage);
    }
    const units = Number(values.n ?? '1');
    if (!Number.isInteger(units) || units < 0)
      throw new UsageError(`-n must be a non-negative integer, got "${values.n}"`, usage);
    const made = bundleFile
      ? undefined
      : await charmBundle(target, app, units, values.to, values.config ?? []);
    try {
      const file = made?.file ?? target;
      const overlays = values.overlay ?? [];
      if (values['dry-run']) {
        const bundle = await validateHere(file, overlays, io);
        const [{ plan }, { EMPTY_MODEL }] = await Promise.all([
          import('../../planner/index.js'),
          import('../../model/types.js'),
        ]);
        const changes = plan(bundle, EMPTY_MODEL, {
          existingMachines: made?.existingMachines === true,
        });
        if (changes.length === 0) io.out('No changes to apply.');
        else {
          io.out('Changes to deploy bundle:');
          for (const change of changes) io.out(`- ${change.describe()}`);
        }
        return 0;
      }
      const client = await controllerClient(io);
      const reconnect = () => reach(io, client);
      // The controller reads and validates the files itself, before it changes anything.
      const { answer: sent, typed } = await sendBundle(file, overlays, io, (bundle, more) => {
        const send = () =>
          client.deploy({
            bundle,
            overlays: more,
            ...(made?.existingMachines ? { existingMachines: true } : {}),
          });
        // Asked to wait, a lost controller is waited for too (issue 15 item 8).
        return wait === undefined
          ? send().then((result) => ({ answer: result, resent: false }))
          : deployThrough(client, io, send, { timeoutMs, reconnect });
      });
      const result = sent.answer;
      for (const warning of result.warnings) io.err(asTyped(warning, typed));
      if (sent.resent && result.changes.length === 0) {
        io.out('The restarted controller finished the deploy.');
      } else if (result.changes.length === 0) io.out('No changes to apply.');
      else {
        io.out('Deployed:');
        for (const change of result.changes) io.out(`- ${change}`);
      }
      if (wait === undefined) return 0;
      return (await waitForUnits(client, io, { timeoutMs, reconnect })) === 'idle' ? 0 : 1;
    } finally {
      made?.cleanup();
    }
  },
};
