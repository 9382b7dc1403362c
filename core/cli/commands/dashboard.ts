// `rune dashboard [-c CONTROLLER]` (issue 17 item 4): where the controller serves its web
// dashboard, and a one-time login link that opens it in a browser for this operator.
import type { DashboardLoginResponse } from '../../controller/api.js';
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
    'On a registered (remote) controller, the links name the address it was registered at.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { controller: { type: 'string', short: 'c' } },
      usage,
    );
    if (positionals[0] !== undefined)
      throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
    const answer = await askController(io, values.controller, async (client) => {
      const given = await client.dashboardLogin();
      // The controller names its own address; a remote operator reached it by the registered one.
      return client.remote ? atAddress(given, client.remoteAddress()) : given;
    });
    io.out(`Dashboard: ${answer.url}`);
    io.out(`Open this link to log in (it works once, until ${answer.expiresAt}):`);
    io.out(`  ${answer.login}`);
    return 0;
  },
};

/** The answer's links with `host:port` in place of the controller's own. */
export function atAddress(answer: DashboardLoginResponse, address: string): DashboardLoginResponse {
  const move = (link: string) => {
    const url = new URL(link);
    return `https://${address}${url.pathname}${url.search}`;
  };
  return { ...answer, url: move(answer.url), login: move(answer.login) };
}
