// `rune bootstrap [local|manual|sim] [NAME]`: creates a controller on this host and starts it in
// the background (`rune controller run NAME` under the hood), logging to a file.
import { parseDurationMs } from '../../controller/duration.js';
import { controllerPaths, runeHome } from '../../controller/paths.js';
import { startController } from '../../controller/process.js';
import { createController } from '../../controller/controller-creation.js';
import type { ControllerInfo } from '../../controller/registry.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

const usage = 'rune bootstrap [local|manual|sim] [NAME] [--latency 1ms] [--jitter 0.5ms]';

const PROVIDERS = ['local', 'manual', 'sim'] as const;

export const bootstrap: Command = {
  usage,
  help: [
    'Creates a controller and starts it in the background. local (the default) makes machines',
    'on this host, each in its own namespaces (needs root); manual only adds existing hosts',
    "with rune add-machine ssh:[user@]host. NAME defaults to the provider's name. The new",
    'controller becomes the current one.',
    '',
    'sim makes a controller whose machines are SIMULATED, to rehearse a deploy, a scale-out or a',
    'rollout of a big model in seconds before touching hosts. No real workload runs: a sim',
    "machine keeps a charm's files, services and packages in the controller's memory and answers",
    'commands from a small table (anything else is "command not found"), so charms that need',
    'their binaries block as they would without them. Each call to a machine waits --latency',
    '(default 1ms) ± --jitter (default 0.5ms). Every verb works as on local machines but ssh and',
    'scp; rune sim lose-machine / heal-machine rehearse machines dying. A restarted sim',
    'controller gets its machines back empty.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { latency: { type: 'string' }, jitter: { type: 'string' } },
      usage,
    );
    if (positionals.length > 2)
      throw new UsageError(`unexpected argument "${positionals[2]}"`, usage);
    const [provider = 'local', name = provider] = positionals;
    if (!(PROVIDERS as readonly string[]).includes(provider)) {
      throw new UsageError(`unknown provider "${provider}"; use local, manual or sim`, usage);
    }
    const kind = provider as (typeof PROVIDERS)[number];
    if (kind !== 'sim' && (values.latency !== undefined || values.jitter !== undefined)) {
      throw new UsageError('--latency and --jitter are for the sim provider only', usage);
    }
    const sim = kind === 'sim' ? simLatency(values.latency, values.jitter) : undefined;
    const home = runeHome();
    const info = createController(home, name, kind, sim);
    const pid = await startController(home, name);
    const what = sim
      ? `sim provider: simulated machines, ${sim.fixedMs}ms ± ${sim.jitterMs}ms a call`
      : `${provider} provider`;
    io.out(`Bootstrapped controller "${info.name}" (${what}, pid ${pid}).`);
    io.out(`Its log: ${controllerPaths(home, name).log}`);
    return 0;
  },
};

function simLatency(latency = '1ms', jitter = '0.5ms'): NonNullable<ControllerInfo['sim']> {
  const ms = (flag: string, text: string) => {
    const value = parseDurationMs(text);
    if (value === undefined || value > 10_000) {
      throw new UsageError(
        `--${flag} ${text}: give a duration up to 10s, e.g. 1ms or 0.5ms`,
        usage,
      );
    }
    return value;
  };
  return { fixedMs: ms('latency', latency), jitterMs: ms('jitter', jitter) };
}
