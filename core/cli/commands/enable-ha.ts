// `rune enable-ha [-n N] [--to M,M] [-c CONTROLLER]`: the controller becomes N members (default 3)
// over a store in an etcd cluster it starts for itself (core/controller/enable-ha.ts); with --to,
// members 1.. go on those manual machines, one per host (core/controller/enable-ha-hosts.ts).
import { runeHome } from '../../controller/paths.js';
import { currentController } from '../../controller/registry.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { NoControllerError, UsageError } from '../errors.js';
import { controllerClient } from '../controller-access.js';

const usage = 'rune enable-ha [-n N] [--to MACHINE,MACHINE] [-c CONTROLLER]';

export const enableHa: Command = {
  usage,
  help: [
    'Makes the controller highly available: N members (default 3, an odd number) on this host,',
    'their store in a N-member etcd cluster Rune starts for itself (TLS, its own CA). One member',
    'is active and runs the model; the others stand by, follow the store and take over within',
    '15 s when the active one dies. The controller stops while its store moves into etcd; its',
    'SQLite store is kept beside as store.db.before-ha. Every other command finds the active',
    'member by itself.',
    '--to 1,2 (as juju enable-ha --to): member 0 stays on this host, members 1 and 2 go on',
    'manual machines 1 and 2 with their store members, one per host, each serving the API on',
    "its host's address (port 17070). Each machine needs Rune installed at the same path as",
    'here, Node.js and etcd; the machines are checked before the controller stops.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        n: { type: 'string', short: 'n' },
        to: { type: 'string' },
        controller: { type: 'string', short: 'c' },
      },
      usage,
    );
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
    const countText = values.n ?? '3';
    if (!/^[0-9]+$/.test(countText))
      throw new UsageError(`-n takes a number of members, not "${countText}"`, usage);
    const home = runeHome();
    const name = values.controller ?? currentController(home);
    if (name === undefined)
      throw new NoControllerError(
        '(none)',
        'no controller to make highly available; rune bootstrap creates one',
      );
    // Loaded here: etcd's client and the store's worker are for this verb and the members only.
    const {
      checkMemberCount,
      checkPlacementCount,
      enableHa: enable,
    } = await import('../../controller/enable-ha.js');
    checkMemberCount(Number(countText));
    const to = values.to?.split(',').map((m) => m.trim());
    if (to?.some((m) => !/^[0-9]+$/.test(m)))
      throw new UsageError(
        `--to takes machine numbers separated by commas, not "${values.to}"`,
        usage,
      );
    if (to) checkPlacementCount(Number(countText), to.length);
    const { connectOverSsh, memberArgs, storeClusterOps } =
      await import('../../controller/wiring.js');
    const done = await enable(
      home,
      name,
      Number(countText),
      storeClusterOps(),
      (line) => io.err(line),
      to && { to, connect: connectOverSsh, memberArgs },
    );
    const client = await controllerClient(io, name);
    const active = (await client.ping()).member?.id;
    io.out(
      `Controller "${name}" is highly available: ${done.info.ha.members} members, member ` +
        `${active} active; its store is in etcd (${done.info.ha.store.endpoints.join(', ')}).`,
    );
    io.out(`The single controller's store is kept as ${done.keptStore}.`);
    return 0;
  },
};
