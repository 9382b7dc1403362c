// `rune help [COMMAND]`: the overview, or one command's usage and flags.
import { suggest } from '../args.js';
import { type Command, findVerb, overview, VERBS } from '../command.js';
import { UsageError } from '../errors.js';

export const help: Command = {
  usage: 'rune help [COMMAND]',
  help: 'Without a command, lists the commands. With one, shows its usage and flags.',
  async run(args, io) {
    const [name, ...extra] = args;
    if (extra.length > 0) throw new UsageError('help takes at most one command', this.usage);
    if (name === undefined) {
      io.out(overview());
      return 0;
    }
    const verb = findVerb(name);
    if (!verb) {
      const near = suggest(
        name,
        VERBS.map((v) => v.name),
      );
      throw new UsageError(
        `unknown command "${name}"${near ? `; did you mean "${near}"?` : ''}`,
        this.usage,
      );
    }
    const command = await verb.load();
    io.out(`usage: ${command.usage}\n\n${verb.summary}\n\n${command.help}`);
    return 0;
  },
};
