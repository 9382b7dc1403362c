// `rune controller run NAME [--member N]`: runs a controller (or, once it is highly available, one
// of its members) in the foreground until SIGTERM or SIGINT (for systemd, or to watch its log);
// bootstrap and enable-ha start the same thing in the background.
import { runController } from '../../controller/run.js';
import { runeHome } from '../../controller/paths.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

const usage = 'rune controller run NAME [--member N]';

export const controller: Command = {
  usage,
  help:
    'Runs controller NAME in the foreground, logging to standard output, until SIGTERM or SIGINT.\n' +
    'A highly available controller (rune enable-ha) runs as members: --member N runs member N.',
  async run(args) {
    const { positionals, values } = parseFlags(args, { member: { type: 'string' } }, usage);
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
    const member = values.member === undefined ? undefined : Number(values.member);
    if (member !== undefined && !/^\d+$/.test(values.member ?? ''))
      throw new UsageError(`--member takes a member number, not "${values.member}"`, usage);
    const running = await runController(runeHome(), name, member);
    const stop = () => void running.stop();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    await running.done;
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    return 0;
  },
};
