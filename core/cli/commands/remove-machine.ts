// `rune remove-machine N... [--force]`: forget machines; a local machine is destroyed with all
// its processes, mounts and interfaces. Each id is checked before any is removed.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune remove-machine N... [--force] [-c CONTROLLER]';

export const removeMachine: Command = {
  usage,
  help: [
    'Removes machines from the model. A local machine is destroyed; a manual one is only',
    'forgotten (its host is left as it is).',
    '',
    'Flags:',
    '  --force            remove even if units are on it (they are removed too)',
    '  -c, --controller   the controller to use (default: the current one)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { force: { type: 'boolean' }, controller: { type: 'string', short: 'c' } },
      usage,
    );
    if (positionals.length === 0) throw new UsageError('remove-machine needs a machine id', usage);
    const bad = positionals.find((id) => !/^(0|[1-9][0-9]*)$/.test(id));
    if (bad !== undefined) throw new UsageError(`invalid machine id "${bad}"`, usage);
    const client = await controllerClient(io, values.controller);
    const status = await client.status(false); // which ids exist; no probe needed
    const missing = positionals.filter((id) => !Object.hasOwn(status.machines, id));
    if (missing.length > 0) {
      io.err(`rune: machine ${missing.join(', ')} not found; rune status lists the machines`);
      return 1;
    }
    for (const id of positionals) {
      await client.removeMachine(id, values.force === true);
      io.out(`removed machine ${id}`);
    }
    return 0;
  },
};
