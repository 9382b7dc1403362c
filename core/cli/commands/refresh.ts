// `rune refresh APP [--path DIR] [--revision N]` (Juju's verb): the application moves to a new
// charm revision — from DIR, from its current folder again, or back to revision N — and its units
// run upgrade-charm then config-changed. The controller checks the new charm first and changes
// nothing if it does not fit the model (refresh.ts in core/controller).
import { resolve } from 'node:path';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';
import { policyFromFlags, ROLLOUT_FLAGS, ROLLOUT_HELP, ROLLOUT_USAGE } from '../rollout-flags.js';

const usage = `rune refresh APP [--path DIR | --revision N] ${ROLLOUT_USAGE}`;

export const refresh: Command = {
  usage,
  help: [
    'Moves APP to a new charm revision: the charm in DIR (--path), the charm in its current',
    'folder read again (no flag), or an earlier revision (--revision N). The new charm must be',
    'the same charm, keep every endpoint in use and accept every option set; otherwise nothing',
    'changes. Each unit runs upgrade-charm, then config-changed.',
    ...ROLLOUT_HELP,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { path: { type: 'string' }, revision: { type: 'string' }, ...ROLLOUT_FLAGS },
      usage,
    );
    const [application, extra] = positionals;
    if (application === undefined) throw new UsageError('refresh needs an application', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    if (values.path !== undefined && values.revision !== undefined)
      throw new UsageError('give --path or --revision, not both', usage);
    let revision: number | undefined;
    if (values.revision !== undefined) {
      revision = Number(values.revision);
      if (!/^[1-9][0-9]*$/.test(values.revision))
        throw new UsageError(`--revision takes a revision number, got "${values.revision}"`, usage);
    }
    const client = await controllerClient(io);
    const policy = policyFromFlags(values);
    // The controller runs on this host and reads the folder itself.
    const done = await client.refresh({
      application,
      ...(policy === undefined ? {} : { policy }),
      ...(values.path === undefined ? {} : { path: resolve(values.path) }),
      ...(revision === undefined ? {} : { revision }),
    });
    io.out(
      `${done.application}: charm ${done.charm} revision ${done.from} → ${done.revision}; ` +
        'its units run upgrade-charm as the rollout reaches them (rune rollouts)',
    );
    return 0;
  },
};
