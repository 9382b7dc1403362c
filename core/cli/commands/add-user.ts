// `rune add-user NAME [--expires 24h] [-c CONTROLLER]` (issue 16 item 5): adds a user of the
// controller's API over TCP and prints the one-time string `rune register` takes on the user's
// machine. Over the local socket only: whoever can open it runs the controller already.
import { parseDurationMs } from '../../controller/duration.js';
import { LocalOnlyError } from '../../controller/access-errors.js';
import { runeHome } from '../../controller/paths.js';
import { currentController, readController } from '../../controller/registry.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { askController } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune add-user NAME [--expires DURATION] [-c CONTROLLER]';

export const addUser: Command = {
  usage,
  help: [
    'Adds a user who may use the controller from another machine, over TCP with TLS, and',
    'prints a registration string: on that machine, `rune register STRING` pins the',
    "controller's CA and swaps the string's one-time secret for a token of the user's own.",
    'The string works once, until --expires (default 24h). For an existing user, a new string.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { expires: { type: 'string' }, controller: { type: 'string', short: 'c' } },
      usage,
    );
    const [user, extra] = positionals;
    if (user === undefined) throw new UsageError('add-user needs a user name', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const ttlMs = values.expires === undefined ? undefined : parseDurationMs(values.expires);
    if (ttlMs === 0 || (values.expires !== undefined && ttlMs === undefined))
      throw new UsageError(`--expires: "${values.expires}" is not a duration like 24h`, usage);
    const name = values.controller ?? currentController(runeHome());
    if (name !== undefined && readController(runeHome(), name).remote)
      throw new LocalOnlyError(name, 'add-user');
    const added = await askController(io, values.controller, (client) =>
      client.addUser(user, ttlMs === undefined ? undefined : Math.max(1, Math.round(ttlMs))),
    );
    io.out(
      added.created
        ? `User "${added.user}" added.`
        : `User "${added.user}" exists: a new registration string for it.`,
    );
    io.out(`On the user's machine, run this before ${added.expiresAt} (it works once):`);
    io.out(`  rune register ${added.registration}`);
    return 0;
  },
};
