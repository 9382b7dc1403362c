// `rune controller run NAME`: runs a controller in the foreground until SIGTERM or SIGINT (for
// systemd, or to watch its log); bootstrap starts the same thing in the background.
import { runController } from '../../controller/run.js';
import { runeHome } from '../../controller/paths.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

const usage = 'rune controller run NAME';

export const controller: Command = {
  usage,
  help: 'Runs controller NAME in the foreground, logging to standard output, until SIGTERM or SIGINT.',
  async run(args) {
    const { positionals } = parseFlags(args, {}, usage);
    const [sub, name, extra] = positionals;
    if (sub !== 'run')
      throw new UsageError(
        sub === undefined
          ? 'controller needs a subcommand: run'
          : `unknown subcommand "${sub}"; use run`,
        usage,
      );
    if (name === undefined) throw new UsageError('controller run needs a controller name', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const running = await runController(runeHome(), name);
    const stop = () => void running.stop();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    await running.done;
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    return 0;
  },
};
