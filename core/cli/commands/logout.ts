// `rune logout [-c CONTROLLER]` (issue 16 item 5): revokes this client's token on a remote
// controller and deletes it here. A controller that cannot be reached still loses the token
// here (it expires there in time), and the user is told.
import { NotRemoteError } from '../../controller/access-errors.js';
import { ApiClient } from '../../controller/api-client.js';
import { runeHome } from '../../controller/paths.js';
import { currentController, readController } from '../../controller/registry.js';
import { forgetToken, remoteTransport } from '../../controller/remote-registry.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { NoControllerError, UsageError } from '../errors.js';

const usage = 'rune logout [-c CONTROLLER]';

export const logout: Command = {
  usage,
  help: [
    'Ends your session with a controller registered with `rune register`: the token is',
    'revoked on the controller and deleted here. To come back, ask its admin for a new',
    'registration string (rune add-user NAME) and rune register it.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { controller: { type: 'string', short: 'c' } },
      usage,
    );
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
    const home = runeHome();
    const name = values.controller ?? currentController(home);
    if (name === undefined) throw new NoControllerError('', 'no current controller to log out of');
    const info = readController(home, name);
    if (!info.remote) throw new NotRemoteError(name);
    const remote = { ...info, remote: info.remote };
    const client = new ApiClient(name, '', remoteTransport(remote));
    let revoked = '';
    for (let i = 0; i < remote.remote.addresses.length && revoked !== 'yes'; i++) {
      client.address = i;
      revoked = await client.logout().then(
        () => 'yes',
        (e: unknown) => revoked || (e instanceof Error ? e.message : String(e)),
      );
    }
    forgetToken(remote.remote);
    if (revoked === 'yes') io.out(`Logged out of controller "${name}": its token is revoked.`);
    else {
      io.out(`Logged out of controller "${name}": its token is deleted here.`);
      io.err(`rune: the controller could not revoke it (${revoked}); it expires there in time`);
    }
    return 0;
  },
};
