// `rune controllers`: the controllers on this host, the current one marked with *; a highly
// available one with each member's state.
import { ApiClient } from '../../controller/api-client.js';
import { controllerPaths, runeHome } from '../../controller/paths.js';
import { memberStates } from '../member-states.js';
import { currentController, listControllers } from '../../controller/registry.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { table } from '../../controller/status-text.js';

const usage = 'rune controllers';

export const controllers: Command = {
  usage,
  help: 'Lists the controllers on this host with their provider and whether they are running.',
  async run(args, io) {
    const { positionals } = parseFlags(args, {}, usage);
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
    const home = runeHome();
    const list = listControllers(home);
    if (list.length === 0) {
      io.out('No controllers; rune bootstrap creates one.');
      return 0;
    }
    const current = currentController(home);
    const rows = await Promise.all(
      list.map(async (c) => {
        const state = c.remote
          ? `remote: ${c.remote.addresses.join(', ')} as ${c.remote.user}`
          : c.ha
            ? await memberStates(home, c)
            : await new ApiClient(c.name, controllerPaths(home, c.name).socket).ping(1000).then(
                (p) => `running (pid ${p.pid})`,
                () => 'stopped',
              );
        return [`${c.name}${c.name === current ? '*' : ''}`, c.provider, c.id, state];
      }),
    );
    for (const line of table([['Controller', 'Provider', 'Id', 'Status'], ...rows])) io.out(line);
    return 0;
  },
};
