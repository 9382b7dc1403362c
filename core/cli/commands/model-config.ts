// `rune model-config [KEY | KEY=VALUE...]`: model-wide settings, as Juju's model-config —
// today update-status-hook-interval. Without arguments, every setting with its source.
import { stringify } from 'yaml';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune model-config [KEY | KEY=VALUE...]';

export const modelConfig: Command = {
  usage,
  help: [
    'Shows the model settings, one setting, or sets them. Settings:',
    '  update-status-hook-interval   how often idle units run update-status (default 5m)',
    '  certificate-expiry-warning    status warns of a certificate expiring this soon (default 30d)',
  ].join('\n'),
  async run(args, io) {
    const { positionals } = parseFlags(args, {}, usage);
    const sets = positionals.filter((p) => p.includes('='));
    const gets = positionals.filter((p) => !p.includes('='));
    if (gets.length > 1 || (gets.length === 1 && sets.length > 0)) {
      throw new UsageError('give one KEY to read, or KEY=VALUE pairs to set', usage);
    }
    const client = await controllerClient(io);
    if (sets.length > 0) {
      await client.setModelConfig(
        Object.fromEntries(
          sets.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]),
        ),
      );
      return 0;
    }
    const { settings } = await client.modelConfig();
    if (gets.length === 1) {
      const setting = settings[gets[0] as string];
      if (!setting) throw new UsageError(`unknown model setting "${gets[0]}"`, usage);
      io.out(setting.value);
      return 0;
    }
    io.out(stringify(settings).trimEnd());
    return 0;
  },
};
