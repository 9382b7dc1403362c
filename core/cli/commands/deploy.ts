// `rune deploy BUNDLE [--overlay F]... [--dry-run]`: validate a bundle and plan it. Until the
// charm runtime lands (issue 4) only --dry-run can run: it prints the plan against an empty model.
import { EMPTY_MODEL } from '../../model/types.js';
import { plan } from '../../planner/index.js';
import { formatDiagnostic } from '../../yaml/diagnostic.js';
import { parseFlags } from '../args.js';
import { loadBundle } from '../../controller/bundle-files.js';
import type { Command } from '../command.js';
import { NotYetError, UsageError } from '../errors.js';

const usage = 'rune deploy BUNDLE [--overlay FILE]... [--dry-run]';

export const deploy: Command = {
  usage,
  help: [
    'Validates BUNDLE (a Juju-format bundle file) and any overlays, merged in order, and plans',
    'the changes that would make the model match it.',
    '',
    'Flags:',
    '  --overlay FILE  merge FILE over the bundle (repeatable; applied in order)',
    '  --dry-run       print the changes and touch nothing',
    '',
    'An invalid bundle prints every error with file:line:column and exits 1.',
  ].join('\n'),
  run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { overlay: { type: 'string', multiple: true }, 'dry-run': { type: 'boolean' } },
      usage,
    );
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0
          ? 'deploy needs a bundle file'
          : `unexpected argument "${positionals[1]}"`,
        usage,
      );
    }
    const file = positionals[0] as string;
    const { bundle, warnings } = loadBundle(file, values.overlay ?? []);
    for (const warning of warnings) io.err(formatDiagnostic(warning));
    if (!values['dry-run']) {
      throw new NotYetError(
        'deploying to machines (the charm runtime, issue 4)',
        'use --dry-run to see the plan',
      );
    }
    const changes = plan(bundle, EMPTY_MODEL);
    if (changes.length === 0) {
      io.out('No changes to apply.');
      return 0;
    }
    io.out('Changes to deploy bundle:');
    for (const change of changes) io.out(`- ${change.describe()}`);
    return 0;
  },
};
