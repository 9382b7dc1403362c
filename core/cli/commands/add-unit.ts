// `rune add-unit APP [-n N] [--to MACHINE]`: more units of an application, each on a new
// machine unless --to names an existing one. Subordinates are refused: they follow principals.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune add-unit APP [-n N] [--to MACHINE]';

export const addUnit: Command = {
  usage,
  help: [
    'Adds N units (default 1) to application APP, each on a new machine, or all on machine',
    'MACHINE with --to. Existing units get -joined/-changed for each new unit, and it for them.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        n: { type: 'string', short: 'n' },
        'num-units': { type: 'string' },
        to: { type: 'string' },
      },
      usage,
    );
    const [application, extra] = positionals;
    if (application === undefined) throw new UsageError('add-unit needs an application', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const countText = values.n ?? values['num-units'] ?? '1';
    if (!/^[1-9][0-9]*$/.test(countText)) {
      throw new UsageError(`-n must be a positive integer, got "${countText}"`, usage);
    }
    if (values.to !== undefined && !/^(0|[1-9][0-9]*)$/.test(values.to)) {
      throw new UsageError(`--to must be a machine id, got "${values.to}"`, usage);
    }
    const client = await controllerClient(io);
    const request: Parameters<typeof client.addUnits>[0] = {
      application,
      count: Number(countText),
    };
    if (values.to !== undefined) request.to = values.to;
    const { units } = await client.addUnits(request);
    for (const unit of units) io.out(`added unit ${unit}`);
    return 0;
  },
};
