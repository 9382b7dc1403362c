// `rune sim lose-machine N... | heal-machine N...`: rehearse machines dying on a sim cloud (rune
// bootstrap sim). A lost machine stops answering at once, as a dead host would: its units show
// lost and, past the grace period, the resurrector replaces it unless the meltdown brake holds.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune sim lose-machine|heal-machine N... [-c CONTROLLER]';

const ACTIONS = { 'lose-machine': 'lose', 'heal-machine': 'heal' } as const;

export const sim: Command = {
  usage,
  help: [
    'On a controller of the sim cloud only (rune bootstrap sim):',
    '  lose-machine N...  the machines stop answering: probes fail, hooks cannot run there',
    '  heal-machine N...  they answer again, with what they held',
    'Every id is checked before any machine changes.',
    '',
    'Flags:',
    '  -c, --controller   the controller to use (default: the current one)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { controller: { type: 'string', short: 'c' } },
      usage,
    );
    const [verb, ...machines] = positionals;
    if (verb === undefined) throw new UsageError('sim needs lose-machine or heal-machine', usage);
    if (!Object.hasOwn(ACTIONS, verb)) {
      throw new UsageError(
        `unknown sim command "${verb}"; use lose-machine or heal-machine`,
        usage,
      );
    }
    if (machines.length === 0) throw new UsageError(`${verb} needs a machine id`, usage);
    const bad = machines.find((id) => !/^(0|[1-9][0-9]*)$/.test(id));
    if (bad !== undefined) throw new UsageError(`invalid machine id "${bad}"`, usage);
    const action = ACTIONS[verb as keyof typeof ACTIONS];
    const client = await controllerClient(io, values.controller);
    await client.simulate({ action, machines });
    io.out(
      `${action === 'lose' ? 'lost' : 'healed'} machine${machines.length === 1 ? '' : 's'} ` +
        machines.join(', '),
    );
    return 0;
  },
};
