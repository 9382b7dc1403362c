// `rune rollback APP [--to REV]` (DESIGN §11, issue 14 item 5): APP's charm revision and config
// as a model revision left them (without --to: as they were before its latest change), restored
// as a new revision and rolled out to the units like a refresh. The controller refuses, changing
// nothing, an unknown application, a revision that is unknown, in the future or not APP's, and a
// state APP is already in.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';
import { policyFromFlags, ROLLOUT_FLAGS, ROLLOUT_HELP, ROLLOUT_USAGE } from '../rollout-flags.js';

const usage = `rune rollback APP [--to REV] ${ROLLOUT_USAGE}`;

export const rollback: Command = {
  usage,
  help: [
    "Restores APP's charm revision and config as model revision REV left them (rune history",
    'lists the revisions; without --to, as they were before its latest change of charm, config',
    'or resources). The rollback is a new model revision; rolling back a rollback goes forward',
    'again. Secret options keep their current values: history never records them. Each unit',
    'runs upgrade-charm (when the charm revision moves) and config-changed.',
    ...ROLLOUT_HELP,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { to: { type: 'string' }, ...ROLLOUT_FLAGS },
      usage,
    );
    const [application, extra] = positionals;
    if (application === undefined) throw new UsageError('rollback needs an application', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    if (values.to !== undefined && !/^[0-9]+$/.test(values.to)) {
      throw new UsageError(`--to takes a model revision number, got "${values.to}"`, usage);
    }
    const client = await controllerClient(io);
    const policy = policyFromFlags(values);
    const done = await client.rollback({
      application,
      ...(values.to === undefined ? {} : { to: Number(values.to) }),
      ...(policy === undefined ? {} : { policy }),
    });
    const { from, to } = done.charmRevision;
    const moved = [
      ...(from === to ? [] : [`charm revision ${from} → ${to}`]),
      ...(done.config.length > 0 ? [`options ${done.config.join(', ')}`] : []),
      ...(done.resources.length > 0 ? [`resources ${done.resources.join(', ')}`] : []),
    ];
    io.out(
      `${application}: back to model revision ${done.restored} as model revision ${done.revision}` +
        ` (${moved.join('; ')}); its units follow as the rollout reaches them (rune rollouts)`,
    );
    if (done.keptSecrets.length > 0) {
      io.out(
        `${application}: secret options keep their current values (history never records them): ` +
          done.keptSecrets.join(', '),
      );
    }
    return 0;
  },
};
