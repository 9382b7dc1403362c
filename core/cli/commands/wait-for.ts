// `rune wait-for application APP [--timeout T]`: returns once every unit of APP is idle and
// active (exit 0); `wait-for model`: once no unit anywhere has a hook due. A unit in error or
// the timeout ends either with exit 1.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient, reach } from '../controller-access.js';
import { UsageError } from '../errors.js';
import { parseDuration, waitForUnits } from '../wait-units.js';

const usage = 'rune wait-for application APP | model [--timeout T]';

export const waitFor: Command = {
  usage,
  help: [
    'application APP: waits until every unit of APP is idle with an active workload.',
    'model: waits until every unit of the model is idle with no hook due (any workload status).',
    'T: 90s, 10m (default 10m).',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { timeout: { type: 'string' } }, usage);
    const [kind, application, extra] = positionals;
    const model = kind === 'model' && application === undefined;
    if (!model && (kind !== 'application' || application === undefined)) {
      throw new UsageError('wait-for needs: application APP, or model', usage);
    }
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const timeoutMs = parseDuration(values.timeout ?? '10m');
    if (timeoutMs === undefined)
      throw new UsageError(`invalid --timeout "${values.timeout}"`, usage);
    const client = await controllerClient(io);
    const reconnect = () => reach(io, client);
    const settled = await waitForUnits(
      client,
      io,
      model ? { timeoutMs, reconnect } : { timeoutMs, application, requireActive: true, reconnect },
    );
    return settled === 'idle' ? 0 : 1;
  },
};
