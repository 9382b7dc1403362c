// `rune bootstrap [local|manual] [NAME]`: creates a controller on this host and starts it in the
// background (`rune controller run NAME` under the hood), logging to a file.
import { controllerPaths, runeHome } from '../../controller/paths.js';
import { startController } from '../../controller/process.js';
import { createController } from '../../controller/registry.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

const usage = 'rune bootstrap [local|manual] [NAME]';

export const bootstrap: Command = {
  usage,
  help: [
    'Creates a controller and starts it in the background. local (the default) makes machines',
    'on this host, each in its own namespaces (needs root); manual only adds existing hosts',
    "with rune add-machine ssh:[user@]host. NAME defaults to the provider's name. The new",
    'controller becomes the current one.',
  ].join('\n'),
  async run(args, io) {
    const { positionals } = parseFlags(args, {}, usage);
    if (positionals.length > 2)
      throw new UsageError(`unexpected argument "${positionals[2]}"`, usage);
    const [provider = 'local', name = provider] = positionals;
    if (provider !== 'local' && provider !== 'manual') {
      throw new UsageError(`unknown provider "${provider}"; use local or manual`, usage);
    }
    const home = runeHome();
    const info = createController(home, name, provider);
    const pid = await startController(home, name);
    io.out(`Bootstrapped controller "${info.name}" (${provider} provider, pid ${pid}).`);
    io.out(`Its log: ${controllerPaths(home, name).log}`);
    return 0;
  },
};
