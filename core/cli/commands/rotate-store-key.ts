// `rune rotate-store-key [CONTROLLER]`: a new key for the secrets in a controller's store
// (issue 15 item 6); the runbook is docs/store-key.md.
import { runeHome } from '../../controller/paths.js';
import { currentController } from '../../controller/registry.js';
import { rotateStoreKey } from '../../controller/store-key-rotation.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

const usage = 'rune rotate-store-key [CONTROLLER]';

export const rotateStoreKeyCommand: Command = {
  usage,
  help: [
    "Re-encrypts every secret value in the controller's store (relation data, leader settings,",
    'charm state, config, action params and results, history) with a new store key, in one',
    'transaction, and replaces the key file (store.key, beside store.db). A running controller',
    'is stopped first (hooks in flight finish) and started again after. Backups of store.db',
    'taken before need the old key file: keep them together (docs/store-key.md).',
  ].join('\n'),
  async run(args, io) {
    const { positionals } = parseFlags(args, {}, usage);
    const [named, extra] = positionals;
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const home = runeHome();
    const name = named ?? currentController(home);
    if (name === undefined) {
      throw new UsageError('no current controller; name the controller to rotate', usage);
    }
    const rotated = await rotateStoreKey(home, name, (line) => io.out(line));
    if (rotated.restarted) io.out(`Controller "${name}" is running again.`);
    return 0;
  },
};
