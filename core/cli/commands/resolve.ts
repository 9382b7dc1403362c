// `rune resolve UNIT [--no-retry]`: a unit in error retries its failed hook now, or with
// --no-retry skips it and goes on (DESIGN §6).
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune resolve UNIT [--no-retry]';

export const resolve: Command = {
  usage,
  help: 'Retries the failed hook of UNIT now; with --no-retry, marks it done without running it.',
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { 'no-retry': { type: 'boolean' } }, usage);
    const [unit, extra] = positionals;
    if (unit === undefined) throw new UsageError('resolve needs a unit', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const client = await controllerClient(io);
    await client.resolve(unit, values['no-retry'] !== true);
    io.out(
      values['no-retry'] ? `${unit}: failed hook skipped` : `${unit}: retrying the failed hook`,
    );
    return 0;
  },
};
