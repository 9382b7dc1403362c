// `rune rollouts [APP]`: every rollout (DESIGN §11) with its state, what changed, and where each
// unit is — the table an operator reads to see a rollout move, or why it halted.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';
import { table } from '../../controller/status-text/table.js';

const usage = 'rune rollouts [APP]';

export const rollouts: Command = {
  usage,
  help: 'Lists rollouts: id, application, change, state, units updated of all, and why one halted.',
  async run(args, io) {
    const { positionals } = parseFlags(args, {}, usage);
    const [application, extra] = positionals;
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const client = await controllerClient(io);
    const all = (await client.rollouts()).rollouts.filter(
      (r) => application === undefined || r.application === application,
    );
    if (all.length === 0) {
      io.out(application ? `No rollouts of ${application}.` : 'No rollouts.');
      return 0;
    }
    const rows = all.map((r) => {
      const updated = r.units.filter((u) => u.state === 'updated').length;
      const moving = r.units.filter((u) => u.state === 'updating' || u.state === 'failed');
      const where = moving.map((u) => `${u.unit} ${u.state}`).join(', ');
      return [
        String(r.id),
        r.application,
        r.change,
        r.state,
        `${updated}/${r.units.length}`,
        r.message || where,
      ];
    });
    for (const line of table([['Id', 'App', 'Change', 'State', 'Units', 'Message'], ...rows], {
      alignRight: [0],
    }))
      io.out(line);
    return 0;
  },
};
