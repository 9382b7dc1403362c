// `rune add-machine [ssh:[user@]host[:port]] [-n N] [--constraints C] [--private-key F]`: a new
// local machine (or N), or an existing host over SSH whose key is pinned on first contact.
import { resolve } from 'node:path';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage =
  'rune add-machine [ssh:[user@]host[:port]] [-n N] [--constraints C] [--private-key FILE] [-c CONTROLLER]';

export const addMachine: Command = {
  usage,
  help: [
    "Without a target, makes a new machine with the controller's provider (local: a machine",
    'of its own namespaces on this host; needs root). With ssh:[user@]host[:port], adds an',
    'existing host: its host key is recorded on first contact (the fingerprint is printed) and',
    'every later connection must present the same key. A non-root user needs sudo -n.',
    '',
    'Flags:',
    '  -n N               how many local machines (default 1)',
    '  --constraints C    e.g. "cores=2 mem=4G", recorded with the machine',
    "  --private-key F    the key to log in with (default: the controller's own key)",
    '  -c, --controller   the controller to use (default: the current one)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        n: { type: 'string', short: 'n' },
        constraints: { type: 'string' },
        'private-key': { type: 'string' },
        controller: { type: 'string', short: 'c' },
      },
      usage,
    );
    if (positionals.length > 1)
      throw new UsageError(`unexpected argument "${positionals[1]}"`, usage);
    const target = positionals[0];
    const countText = values.n ?? '1';
    if (!/^[1-9][0-9]*$/.test(countText))
      throw new UsageError(`-n must be a positive integer, got "${countText}"`, usage);
    const count = Number(countText);
    if (target !== undefined && count !== 1)
      throw new UsageError('-n applies to new machines, not to an ssh: target', usage);
    if (target === undefined && values['private-key'] !== undefined) {
      throw new UsageError('--private-key applies to an ssh: target', usage);
    }
    const client = await controllerClient(io, values.controller);
    const request: Parameters<typeof client.addMachines>[0] = {
      count,
      constraints: values.constraints ?? '',
    };
    if (target !== undefined) request.target = target;
    if (values['private-key'] !== undefined)
      request.privateKeyFile = resolve(values['private-key']);
    const { machines } = await client.addMachines(request);
    for (const m of machines) {
      io.out(
        target === undefined
          ? `created machine ${m.id} (${m.address})`
          : `created machine ${m.id} (${target}, host key ${m.hostKey})`,
      );
    }
    return 0;
  },
};
