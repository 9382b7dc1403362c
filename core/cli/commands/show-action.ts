// `rune show-action ID`: an action's status and results, as `rune run --wait` prints them.
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';
import { parseFlags } from '../args.js';
import { printAction } from './run.js';

const usage = 'rune show-action ID';

export const showAction: Command = {
  usage,
  help: 'Shows the status and results of an action queued with rune run.',
  async run(args, io) {
    const { positionals } = parseFlags(args, {}, usage);
    const [id, extra] = positionals;
    if (id === undefined || !/^\d+$/.test(id))
      throw new UsageError('show-action needs an action id', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const client = await controllerClient(io);
    const action = await client.action(Number(id));
    printAction(action, io);
    return action.status === 'failed' ? 1 : 0;
  },
};
