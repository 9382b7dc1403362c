// `rune config APP [KEY] [KEY=VALUE...] [--reset KEY]...`: shows the options (value, default
// or set), one option's value, or sets and resets options — units then run config-changed.
import { stringify } from 'yaml';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';
import { policyFromFlags, ROLLOUT_FLAGS, ROLLOUT_HELP, ROLLOUT_USAGE } from '../rollout-flags.js';
import { own } from '../../model/own.js';

const usage = `rune config APP [KEY | KEY=VALUE...] [--reset KEY]... ${ROLLOUT_USAGE}`;

export const config: Command = {
  usage,
  help: [
    'Without KEY, shows every option of APP: its value, whether it is the default or set, its',
    'type and description. With KEY, prints that value. With KEY=VALUE (values are coerced',
    'to the option type: port=2379 is an int), sets options; --reset puts one back to its default.',
    ...ROLLOUT_HELP,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { reset: { type: 'string', multiple: true }, ...ROLLOUT_FLAGS },
      usage,
    );
    const [application, ...rest] = positionals;
    if (application === undefined) throw new UsageError('config needs an application', usage);
    const sets = rest.filter((r) => r.includes('='));
    const gets = rest.filter((r) => !r.includes('='));
    if (gets.length > 1 || (gets.length === 1 && (sets.length > 0 || values.reset))) {
      throw new UsageError('give one KEY to read, or KEY=VALUE pairs to set', usage);
    }
    const client = await controllerClient(io);
    if (sets.length > 0 || values.reset) {
      const pairs = Object.fromEntries(
        sets.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]),
      );
      await client.setConfig(application, pairs, values.reset ?? [], policyFromFlags(values));
      return 0;
    }
    const { options } = await client.config(application);
    if (gets.length === 1) {
      const key = gets[0] as string;
      const option = own(options, key);
      if (!option) throw new UsageError(`${application} has no option "${key}"`, usage);
      io.out(option.value === undefined ? '' : String(option.value));
      return 0;
    }
    io.out(stringify({ application, settings: options }).trimEnd());
    return 0;
  },
};
