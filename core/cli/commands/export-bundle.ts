// `rune export-bundle [--output FILE]` (issue 14): the live model as a Juju-format bundle that
// `rune deploy` takes unchanged; to stdout, or to FILE with local charm paths relative to it.
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { OutputFileError, UsageError } from '../errors.js';

const usage = 'rune export-bundle [--output FILE]';

const reasons: Record<string, string> = {
  ENOENT: 'no such folder',
  EACCES: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of its path is not a folder',
};

export const exportBundle: Command = {
  usage,
  help: [
    'Writes the model as a bundle: applications (charm, num_units, options that differ from',
    "the charm's defaults, constraints, expose), the machines their units stand on (renumbered",
    '"0", "1"...) and relations, sorted. Options that hold secrets are left out, with a warning;',
    'relation data, leader settings and charm state never go into a bundle.',
    '',
    'Flags:',
    '  -o, --output FILE  write to FILE (local charm paths relative to its folder), not stdout',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { output: { type: 'string', short: 'o' } },
      usage,
    );
    if (positionals.length > 0) {
      throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
    }
    const output = values.output;
    const client = await controllerClient(io);
    const { bundle, warnings } = await client.exportBundle(
      output === undefined ? {} : { relativeTo: dirname(resolve(output)) },
    );
    for (const warning of warnings) io.err(`warning: ${warning}`);
    if (output === undefined) {
      io.out(bundle.trimEnd());
      return 0;
    }
    try {
      writeFileSync(output, bundle);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      throw new OutputFileError(output, reasons[code] ?? (e as Error).message);
    }
    return 0;
  },
};
