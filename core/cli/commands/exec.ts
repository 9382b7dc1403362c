// `rune exec --machine N -- COMMAND...`: runs a command on a machine, streaming its output, and
// exits with the command's own exit code.
import { parseCommandLine } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune exec --machine N [-c CONTROLLER] -- COMMAND...';

export const exec: Command = {
  usage,
  help: [
    'Runs COMMAND with sh on machine N (as root) and streams its output; rune exits with',
    "the command's exit code. Quote the command, or put it after --.",
    '',
    'Flags:',
    '  --machine N        the machine to run on',
    '  -c, --controller   the controller to use (default: the current one)',
  ].join('\n'),
  async run(args, io) {
    const { values, words } = parseCommandLine(
      args,
      { machine: { type: 'string' }, controller: { type: 'string', short: 'c' } },
      usage,
    );
    if (values.machine === undefined) throw new UsageError('exec needs --machine N', usage);
    if (words.length === 0) throw new UsageError('exec needs a command', usage);
    const client = await controllerClient(io, values.controller);
    return client.exec(values.machine, words.join(' '), {
      out: (chunk) => io.outRaw(chunk),
      err: (chunk) => io.errRaw(chunk),
    });
  },
};
