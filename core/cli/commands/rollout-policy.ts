// `rune rollout-policy APP` and `rune set-rollout-policy APP [flags] [--reset]` (DESIGN §11): an
// application's own rollout policy, between a change's flags and model-config, as Juju pairs
// `constraints` with `set-constraints`. Kept apart from `rune config`, which is the charm's.
import { stringify } from 'yaml';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';
import { policyFromFlags, ROLLOUT_FLAGS, ROLLOUT_USAGE } from '../rollout-flags.js';

const showUsage = 'rune rollout-policy APP';
const setUsage = `rune set-rollout-policy APP ${ROLLOUT_USAGE} [--reset]`;

const ORDER = [
  'Which policy a rollout of APP uses: each field from the flags of the change itself (refresh,',
  'config, attach-resource), else from set-rollout-policy, else from model-config',
  '(rollout-canaries, rollout-max-in-flight, rollout-watch), else the defaults.',
];

export const rolloutPolicy: Command = {
  usage: showUsage,
  help: [
    ...ORDER,
    'Shows each field with where it comes from: application, model or default.',
  ].join('\n'),
  async run(args, io) {
    const { positionals } = parseFlags(args, {}, showUsage);
    const [application, extra] = positionals;
    if (application === undefined) {
      throw new UsageError('rollout-policy needs an application', showUsage);
    }
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, showUsage);
    const client = await controllerClient(io);
    const { policy } = await client.rolloutPolicy(application);
    io.out(stringify(policy).trimEnd());
    return 0;
  },
};

export const setRolloutPolicy: Command = {
  usage: setUsage,
  help: [
    ...ORDER,
    'Sets the fields given for APP (checked as on refresh; nothing changes unless all are valid).',
    '--reset first drops every field APP had, so model-config and the defaults apply again.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { ...ROLLOUT_FLAGS, reset: { type: 'boolean' } },
      setUsage,
    );
    const [application, extra] = positionals;
    if (application === undefined) {
      throw new UsageError('set-rollout-policy needs an application', setUsage);
    }
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, setUsage);
    const policy = policyFromFlags(values);
    if (policy === undefined && values.reset !== true) {
      throw new UsageError('give --canaries, --max-in-flight, --watch or --reset', setUsage);
    }
    const client = await controllerClient(io);
    await client.setRolloutPolicy({
      application,
      policy: policy ?? {},
      reset: values.reset === true,
    });
    return 0;
  },
};
