// `rune destroy-controller NAME [--yes]`: stops the controller (killing its process if it does
// not answer), destroys every local machine it made (and anything a crash left behind), and
// deletes its folder.
import { rmSync, unlinkSync } from 'node:fs';
import { RemoteDestroyError } from '../../controller/access-errors.js';
import { ApiClient } from '../../controller/api-client.js';
import { destroyLeftovers } from '../../controller/leftovers.js';
import { controllerPaths, currentControllerFile, runeHome } from '../../controller/paths.js';
import { ControllerUnreachableError } from '../../controller/errors.js';
import { endControllerProcess } from '../../controller/process.js';
import { allMemberPaths } from '../../controller/member-paths.js';
import { memberClients, memberHost } from '../../controller/member-clients.js';
import {
  type ControllerInfo,
  currentController,
  type HaInfo,
  readController,
} from '../../controller/registry.js';
import type { Io } from '../io.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

const usage = 'rune destroy-controller NAME [--yes]';

export const destroyController: Command = {
  usage,
  help: [
    'Stops controller NAME, destroys every local machine it made with all their processes,',
    'and deletes its store, keys and logs. Manual machines are only forgotten. Asks for',
    '--yes (or --no-prompt, as Juju) because it cannot be undone.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { yes: { type: 'boolean', short: 'y' }, 'no-prompt': { type: 'boolean' } },
      usage,
    );
    const [name, extra] = positionals;
    if (name === undefined)
      throw new UsageError('destroy-controller needs a controller name', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const home = runeHome();
    const info = readController(home, name);
    if (info.remote) throw new RemoteDestroyError(name);
    if (!values.yes && !values['no-prompt']) {
      throw new UsageError(
        `this destroys controller "${name}" and every machine it made; run again with --yes`,
        usage,
      );
    }
    const paths = controllerPaths(home, name);
    if (info.ha) await stopMembers(io, home, info, info.ha);
    const client = new ApiClient(name, paths.socket);
    const running = await client.ping(1000).then(
      () => true,
      () => false,
    );
    if (running) {
      await client.shutdown(true).catch((e: unknown) => {
        // It died on the way: its process is ended below and its machines destroyed after.
        if (!(e instanceof ControllerUnreachableError)) throw e;
      });
    }
    // Whatever holds the store goes, answering or not (stopped, hung): no orphan controller.
    const ended = await endControllerProcess(home, name, { askedToStop: running });
    if (ended === 'killed') io.err(`Controller "${name}" did not stop when asked: killed it.`);
    // Whatever the controller could not remove (or made before it died) goes here.
    await destroyLeftovers(info, paths);
    if (currentController(home) === name) unlinkSync(currentControllerFile(home));
    rmSync(paths.dir, { recursive: true, force: true });
    io.out(`Destroyed controller "${name}".`);
    return 0;
  },
};

/** A highly available controller: the active member destroys the machines as it stops; then
 * every member's process ends, and the store's etcd cluster goes with its data. */
async function stopMembers(io: Io, home: string, info: ControllerInfo, ha: HaInfo): Promise<void> {
  const name = info.name;
  const members = allMemberPaths(controllerPaths(home, name), ha);
  const pings = await Promise.all(
    memberClients(home, { ...info, ha }).map((client) => {
      return client.ping(1000).then(
        (ping) => ({ client, ping }),
        () => undefined,
      );
    }),
  );
  const active = pings.find((p) => p?.ping.member?.active);
  if (active) {
    await active.client.shutdown(true).catch((e: unknown) => {
      if (!(e instanceof ControllerUnreachableError)) throw e;
    });
  }
  if (ha.hosts !== undefined && ha.hosts.length > 0) {
    // Members on other hosts (enable-ha --to): stopped there over SSH, their files removed.
    const { connectOverSsh } = await import('../../controller/wiring.js');
    const { removeMemberHosts } = await import('../../controller/enable-ha-hosts.js');
    await removeMemberHosts({ ...info, ha }, controllerPaths(home, name), connectOverSsh, (l) =>
      io.err(l),
    );
  }
  for (const [n] of members.entries()) {
    if (memberHost(ha, n) !== undefined) continue;
    // The active member was asked to stop; those standing by get SIGTERM, which stops them.
    const ended = await endControllerProcess(home, name, {
      askedToStop: pings[n] === active,
      member: n,
      graceMs: 5_000,
    });
    if (ended === 'killed') io.err(`Controller "${name}" member ${n} did not stop: killed it.`);
  }
  const { storeClusterOps } = await import('../../controller/wiring.js');
  await storeClusterOps().remove(ha.clusterFile);
}
