// `rune relate A[:ep] B[:ep]` (alias `integrate`): relates two applications, inferring the
// endpoints as Juju does; an ambiguous pair lists the candidates.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune relate APP[:ENDPOINT] APP[:ENDPOINT]';

export const relate: Command = {
  usage,
  help: [
    'Relates two applications. Without endpoint names, the one pair of endpoints with the same',
    'interface and complementary roles is used; when several fit, name the endpoints.',
  ].join('\n'),
  async run(args, io) {
    const { positionals } = parseFlags(args, {}, usage);
    const [a, b, extra] = positionals;
    if (a === undefined || b === undefined)
      throw new UsageError('relate needs two applications', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const client = await controllerClient(io);
    const { relation } = await client.relate(a, b);
    io.out(`related ${relation}`);
    return 0;
  },
};
