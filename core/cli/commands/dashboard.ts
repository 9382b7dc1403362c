// `rune dashboard [-c CONTROLLER]` (issue 17 item 4): where the controller serves its web
// dashboard, and a one-time login link that opens it in a browser for this operator.
import { LocalOnlyError } from '../../controller/access-errors.js';
import { runeHome } from '../../controller/paths.js';
import { currentController, readController } from '../../controller/registry.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { askController } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune dashboard [-c CONTROLLER]';

export const dashboard: Command = {
  usage,
  help: [
    "Prints the web dashboard's URL and a login link for it. The link works once, for a few",
    'minutes: the browser swaps it for a session cookie. The page is served over HTTPS with the',
    "controller's own CA, so the browser asks once to trust it. The dashboard is read-only.",
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { controller: { type: 'string', short: 'c' } },
      usage,
    );
    if (positionals[0] !== undefined)
      throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
    const name = values.controller ?? currentController(runeHome());
    if (name !== undefined && readController(runeHome(), name).remote)
      throw new LocalOnlyError(name, 'dashboard');
    const answer = await askController(io, values.controller, (client) => client.dashboardLogin());
    io.out(`Dashboard: ${answer.url}`);
    io.out(`Open this link to log in (it works once, until ${answer.expiresAt}):`);
    io.out(`  ${answer.login}`);
    return 0;
  },
};
