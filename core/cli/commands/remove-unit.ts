// `rune remove-unit UNIT... [--force]`: units go dying — remote units get -departed, the unit
// runs -departed/-broken, stop and remove, then leaves the model. --force skips the hooks.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune remove-unit UNIT... [--force]';

export const removeUnit: Command = {
  usage,
  help: [
    'Removes units. Each runs its departure hooks, stop and remove first; its machine stays.',
    'With --force, the units leave the model at once without running any hook.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { force: { type: 'boolean' } }, usage);
    if (positionals.length === 0) throw new UsageError('remove-unit needs a unit', usage);
    const bad = positionals.find((u) => !/^[a-z][a-z0-9-]*\/(0|[1-9][0-9]*)$/.test(u));
    if (bad !== undefined) throw new UsageError(`invalid unit name "${bad}"`, usage);
    const client = await controllerClient(io);
    await client.removeUnits(positionals, values.force === true);
    for (const unit of positionals) io.out(`removing unit ${unit}`);
    return 0;
  },
};
