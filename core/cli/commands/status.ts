// `rune status [--format tabular|yaml|json]`: the model and its machines, from the controller.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';
import { formatStatus, type StatusFormat } from '../status-format.js';

const usage = 'rune status [--format tabular|yaml|json] [-c CONTROLLER]';
const FORMATS: readonly StatusFormat[] = ['tabular', 'yaml', 'json'];

export const status: Command = {
  usage,
  help: [
    'Shows the model: its machines with state, address, instance id and base.',
    '',
    'Flags:',
    '  --format F         tabular (default), yaml or json',
    '  -c, --controller   the controller to ask (default: the current one)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { format: { type: 'string' }, controller: { type: 'string', short: 'c' } },
      usage,
    );
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
    const format = (values.format ?? 'tabular') as StatusFormat;
    if (!FORMATS.includes(format)) {
      throw new UsageError(`unknown format "${values.format}"; use ${FORMATS.join(', ')}`, usage);
    }
    const client = await controllerClient(io, values.controller);
    io.out(formatStatus(await client.status(), format));
    return 0;
  },
};
