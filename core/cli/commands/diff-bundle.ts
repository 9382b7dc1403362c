// `rune diff-bundle FILE [--overlay F]...` (issue 14): what the bundle has that the live model
// lacks and the other way round, in Juju's diff-bundle shape; nothing at all when they agree.
import { parseFlags } from '../args.js';
import { asTyped, sendBundle } from '../bundle-input.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune diff-bundle FILE [--overlay FILE]...';

export const diffBundle: Command = {
  usage,
  help: [
    'Compares FILE (with any overlays merged in order) with the model and prints the',
    'differences as YAML: applications missing on one side, charm, num_units, options (each',
    'as bundle and model values; an option left out counts as its default), constraints and',
    'expose; machines by id, the model\'s renumbered from "0" as export-bundle writes them (only',
    'for a bundle with a machines: section); relations only the bundle has (bundle-additions) or',
    'only the model has (model-additions). Prints nothing when they agree. Options that hold',
    'secrets are never compared. Placement (to:) is not compared: units stay where they are.',
    '',
    'Flags:',
    '  --overlay FILE  merge FILE over the bundle (repeatable; applied in order)',
    '',
    'An invalid bundle prints every error with file:line:column and exits 1.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { overlay: { type: 'string', multiple: true } },
      usage,
    );
    const [file, extra] = positionals;
    if (file === undefined) throw new UsageError('diff-bundle needs a bundle file', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const client = await controllerClient(io);
    const { answer, typed } = await sendBundle(file, values.overlay ?? [], io, (bundle, overlays) =>
      client.diffBundle({ bundle, overlays }),
    );
    for (const warning of answer.warnings) io.err(asTyped(warning, typed));
    if (answer.diff !== '') io.out(answer.diff.trimEnd());
    return 0;
  },
};
