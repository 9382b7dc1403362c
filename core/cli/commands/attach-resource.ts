// `rune attach-resource APP NAME=PATH...`: gives an application a file its charm declares
// (metadata.yaml resources:), e.g. a binary these hosts cannot download. The units run
// upgrade-charm as a rollout reaches them and find the file with ctx.resource().
import { resolve } from 'node:path';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';
import { policyFromFlags, ROLLOUT_FLAGS, ROLLOUT_HELP, ROLLOUT_USAGE } from '../rollout-flags.js';

const usage = `rune attach-resource APP NAME=PATH... ${ROLLOUT_USAGE}`;

export const attachResource: Command = {
  usage,
  help: [
    'Attaches files to an application as the resources its charm declares. Each upload is a new',
    'revision; the units run upgrade-charm and pick it up, the ones not yet reached keeping the',
    'revision they had.',
    ...ROLLOUT_HELP,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { ...ROLLOUT_FLAGS }, usage);
    const [application, ...words] = positionals;
    if (application === undefined || words.length === 0)
      throw new UsageError('attach-resource needs an application and NAME=PATH', usage);
    const files: Record<string, string> = {};
    for (const word of words) {
      const eq = word.indexOf('=');
      if (eq <= 0 || eq === word.length - 1)
        throw new UsageError(`expected NAME=PATH, got "${word}"`, usage);
      // The controller runs on this host and reads the file itself.
      files[word.slice(0, eq)] = resolve(word.slice(eq + 1));
    }
    const client = await controllerClient(io);
    const policy = policyFromFlags(values);
    const { attached } = await client.attachResources({
      application,
      files,
      ...(policy === undefined ? {} : { policy }),
    });
    for (const a of attached)
      io.out(
        `${application}: resource ${a.name} revision ${a.revision} (${a.size} bytes, sha256 ${a.sha256.slice(0, 12)}…)`,
      );
    return 0;
  },
};
