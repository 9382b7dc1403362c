// `rune remove-application APP [--force]`: its relations and units go dying; the application
// leaves the model once they are gone.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune remove-application APP [--force]';

export const removeApplication: Command = {
  usage,
  help: 'Removes an application: its relations are broken and its units removed first.',
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { force: { type: 'boolean' } }, usage);
    const [application, extra] = positionals;
    if (application === undefined)
      throw new UsageError('remove-application needs an application', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const client = await controllerClient(io);
    await client.removeApplication(application, values.force === true);
    io.out(`removing application ${application}`);
    return 0;
  },
};
