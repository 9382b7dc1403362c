// `rune rollout APP --resume | --abort` (DESIGN §11): a halted rollout goes on from the unit that
// halted it (after `rune resolve`), or is aborted — the units it moved go back to the old charm,
// config and resource revisions, rolled the same way.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune rollout APP --resume | --abort';

export const rollout: Command = {
  usage,
  help: [
    '--resume: a halted rollout watches the unit that halted it again and goes on (resolve the',
    "unit's error first). --abort: stops the rollout; the units it moved go back to the old charm",
    'revision, config and resource revisions, as a rollout of their own.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { resume: { type: 'boolean' }, abort: { type: 'boolean' } },
      usage,
    );
    const [application, extra] = positionals;
    if (application === undefined) throw new UsageError('rollout needs an application', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    if (values.resume === values.abort) throw new UsageError('give --resume or --abort', usage);
    const client = await controllerClient(io);
    const { rollouts } = await client.rollout(application, values.abort ? 'abort' : 'resume');
    const last = rollouts.at(-1);
    io.out(
      values.abort
        ? last && last.state === 'running'
          ? `${application}: rollout aborted; rollout ${last.id} takes the moved units back`
          : `${application}: rollout aborted; no unit had moved`
        : `${application}: rollout ${last?.id ?? ''} resumed`,
    );
    return 0;
  },
};
