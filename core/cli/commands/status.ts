// `rune status [FILTER...] [--format tabular|yaml|json] [--relations]`: the model, its
// applications, units and machines, from the controller.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import type { ApiClient } from '../../controller/api-client.js';
import { askController, controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';
import { parseDuration } from '../wait-units.js';
import { watch } from '../watch.js';
import { formatStatus, STATUS_FORMATS, type StatusFormat } from '../../controller/status-text.js';
import { memberStates } from '../member-states.js';
import { runeHome } from '../../controller/paths.js';
import { currentController, readController } from '../../controller/registry.js';

const usage =
  'rune status [APPLICATION|UNIT|MACHINE...] [--format tabular|yaml|json] [--relations] [--watch T] [-c CONTROLLER]';

export const status: Command = {
  usage,
  help: [
    'Shows the model: its applications, units (leaders marked *, subordinates indented under',
    'their principal) and machines. Names given as arguments (etcd, etcd/0, 0) show only those',
    'applications, units or machines.',
    '',
    'Flags:',
    '  --format F         tabular (default), yaml or json',
    '  --relations        add the Integration section to tabular output',
    '  --watch T          render again every T (e.g. 1s) until Ctrl-C, showing only changes',
    '  -c, --controller   the controller to ask (default: the current one)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        format: { type: 'string' },
        relations: { type: 'boolean' },
        watch: { type: 'string' },
        controller: { type: 'string', short: 'c' },
      },
      usage,
    );
    const format = (values.format ?? 'tabular') as StatusFormat;
    if (!STATUS_FORMATS.includes(format)) {
      const known = STATUS_FORMATS.join(', ');
      throw new UsageError(`unknown format "${values.format}"; use ${known}`, usage);
    }
    const options = { relations: values.relations === true, patterns: positionals };
    // The controller answers only what the patterns name; formatStatus filters as before.
    const home = runeHome();
    const name = values.controller ?? currentController(home);
    const info = name === undefined ? undefined : readController(home, name);
    const ask = async (client: ApiClient) => {
      const shown = await client.status(true, positionals);
      if (info?.ha) shown.model.members = await memberStates(home, info);
      return shown;
    };
    if (values.watch === undefined) {
      // Rendered by the controller (once per model change), unless the members of a highly
      // available one are to be shown too: the CLI asks each of those itself.
      const text = async (client: ApiClient) =>
        (info?.ha ? undefined : await client.statusText({ format, ...options })) ??
        formatStatus(await ask(client), format, options);
      io.out(await askController(io, values.controller, text));
      return 0;
    }
    const intervalMs = parseDuration(values.watch);
    if (intervalMs === undefined)
      throw new UsageError(`invalid --watch interval "${values.watch}"`, usage);
    const client = await controllerClient(io, values.controller);
    // Until interrupted: Ctrl-C ends the watch, not the process mid-write.
    const stop = new AbortController();
    const interrupt = () => stop.abort();
    process.once('SIGINT', interrupt);
    try {
      await watch(async () => formatStatus(await ask(client), format, options), io, {
        intervalMs,
        signal: stop.signal,
        clear: process.stdout.isTTY,
      });
    } finally {
      process.off('SIGINT', interrupt);
    }
    return 0;
  },
};
