// `rune remove-relation A[:ep] B[:ep]`: the relation goes dying; units on both sides get
// -departed for each remote unit, then -broken.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune remove-relation APP[:ENDPOINT] APP[:ENDPOINT]';

export const removeRelation: Command = {
  usage,
  help: 'Removes a relation between two applications (name the endpoints if there are several).',
  async run(args, io) {
    const { positionals } = parseFlags(args, {}, usage);
    const [a, b, extra] = positionals;
    if (a === undefined || b === undefined)
      throw new UsageError('remove-relation needs two applications', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const client = await controllerClient(io);
    const { relation } = await client.removeRelation(a, b);
    io.out(`removing relation ${relation}`);
    return 0;
  },
};
