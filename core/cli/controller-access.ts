// How a verb reaches its controller: the named or current one, restarted if its process died,
// or — on the embedded default, when there is none — a local one bootstrapped on the spot. A
// controller whose process is there but silent is reported (exit 3), never doubled. A verb
// that asks one thing (status) sends it alongside the check, not after it.
import { ApiClient } from '../controller/api-client.js';
import { ControllerUnreachableError } from '../controller/errors.js';
import { remoteTransport } from '../controller/remote-registry.js';
import { CaMismatchError } from '../controller/access-errors.js';
import { controllerPaths, runeHome } from '../controller/paths.js';
import type { SilentVerdict } from '../controller/liveness.js';
import { isStopped, silentController, startController } from '../controller/process.js';
import { memberClients, memberHost } from '../controller/member-clients.js';
import { type ControllerInfo, currentController, readController } from '../controller/registry.js';
import { WaitTimeoutError, waitFor } from '../controller/wait-for.js';
import type { Io } from './io.js';
import { ControllerUnresponsiveError, NoControllerError } from './errors.js';

/** How long a controller whose process is there may take to answer before the CLI says it is
 * silent: long enough for one starting up or busy a moment, short enough to be told at once. */
export const ANSWER_WITHIN_MS = 5000;

export async function controllerClient(io: Io, name?: string): Promise<ApiClient> {
  const client = await namedClient(io, name);
  await reach(io, client);
  return client;
}

/**
 * `request` of the named or current controller, sent at once rather than after a ping: reach()
 * runs beside it, so a controller that is gone is still started again (and asked again), and
 * one that is silent still reported within ANSWER_WITHIN_MS, at no round trip's cost.
 */
export async function askController<T>(
  io: Io,
  name: string | undefined,
  request: (client: ApiClient) => Promise<T>,
): Promise<T> {
  const client = await namedClient(io, name);
  if (client.remote) {
    // Over TCP nothing is started again: one address is asked at once; among members', the
    // one that answers as active is found first.
    if (client.remote.addresses.length > 1) await reach(io, client);
    return request(client);
  }
  const first = request(client).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  try {
    await reach(io, client);
  } catch (e) {
    client.abort(); // the request to a silent controller would hold the process open
    throw e;
  }
  const answer = await first;
  if ('value' in answer) return answer.value;
  // Refused before reach() started the controller again: asked again of the one now running.
  if (answer.error instanceof ControllerUnreachableError) return request(client);
  throw answer.error;
}

async function namedClient(io: Io, name?: string): Promise<ApiClient> {
  const home = runeHome();
  let controller = name ?? currentController(home);
  if (controller === undefined) {
    // Loaded only here: it makes keys, which every other verb's start-up would pay for.
    const { createController } = await import('../controller/controller-creation.js');
    createController(home, 'local', 'local');
    controller = 'local';
    io.err(
      'No controller found: bootstrapped a local controller "local" (rune destroy-controller local removes it).',
    );
    await start(home, controller);
  } else {
    const info = readController(home, controller); // a clear error for an unknown name
    if (info.remote)
      return new ApiClient(controller, '', remoteTransport({ ...info, remote: info.remote }));
    if (info.ha) return activeMember(io, home, info);
  }
  return new ApiClient(controller, controllerPaths(home, controller).socket);
}

/**
 * Makes sure the client's controller answers: at once, or once its process (gone: killed, or
 * rebooted away) is started again, as a supervisor would; state is in its store. Throws
 * ControllerUnresponsiveError when its process is there but does not answer.
 */
export async function reach(io: Io, client: ApiClient, withinMs = ANSWER_WITHIN_MS): Promise<void> {
  const home = runeHome();
  const name = client.controller;
  const info = readController(home, name);
  if (info.ha && !info.remote) {
    // Members stand by to take over: the CLI follows whichever is active now, on this host or
    // (enable-ha --to) on another.
    client.follow(await activeMember(io, home, info));
    return;
  }
  if (client.remote) return followRemote(client, withinMs);
  const deadline = Date.now() + withinMs;
  let silent: SilentVerdict | undefined;
  const outcome = await waitFor(
    `controller "${name}" to answer`,
    async () => {
      const left = Math.max(deadline - Date.now(), 500);
      if (
        await client.ping(left).then(
          () => true,
          () => false,
        )
      )
        return 'answers' as const;
      silent = silentController(home, name);
      // Refused at once while its socket is not bound yet (it starts): asked again shortly.
      return silent.kind === 'gone' ? ('gone' as const) : undefined;
    },
    { timeoutMs: withinMs, intervalMs: 100 },
  ).catch((e: unknown) => {
    if (e instanceof WaitTimeoutError && silent?.kind === 'silent') return silent;
    throw e;
  });
  if (outcome === 'answers') return;
  if (outcome === 'gone') {
    io.err(`Controller "${name}" was not running: started it again.`);
    await start(home, name);
    return;
  }
  const { pid } = outcome;
  throw new ControllerUnresponsiveError(
    name,
    pid,
    pid !== undefined && isStopped(pid),
    withinMs,
    controllerPaths(home, name).lock,
  );
}

async function start(home: string, controller: string): Promise<void> {
  try {
    await startController(home, controller);
  } catch (e) {
    throw new NoControllerError(controller, e instanceof Error ? e.message : String(e));
  }
}

/** How long the CLI waits for a highly available controller to have an active member: the
 * election's lease (5 s) and a campaign round, or a start of every member after a reboot. */
export const ELECTION_WAIT_MS = 45_000;

/**
 * A client of the active member of a highly available controller: every member is asked; the
 * one that says it is active answers. A member whose process is gone is started again (standing
 * by, or taking over when none is active), as a supervisor would.
 */
async function activeMember(io: Io, home: string, info: ControllerInfo): Promise<ApiClient> {
  const ha = info.ha;
  if (!ha) throw new Error('activeMember needs a highly available controller');
  const clients = memberClients(home, { ...info, ha });
  const restarted = new Set<number>();
  return waitFor(
    `a member of controller "${info.name}" to be active`,
    async () => {
      const pings = await Promise.all(
        clients.map((c) =>
          c.ping(1000).then(
            (p) => p,
            () => undefined,
          ),
        ),
      );
      // A member that is gone starts again (standing by, or taking over when none is active):
      // the controller keeps its N members without the operator's help. One on another host
      // (enable-ha --to) is not started from here: the others stand in for it meanwhile.
      const gone = pings
        .map((_, n) => n)
        .filter((n) => pings[n] === undefined && !restarted.has(n))
        .filter((n) => memberHost(ha, n) === undefined)
        .filter((n) => silentController(home, info.name, n).kind === 'gone');
      // After a reboot the store's etcd is gone too, and a member cannot open its store
      // without it: the store's members first, all together (one alone has no quorum).
      if (gone.length > 0) await ensureStore(io, ha.clusterFile);
      for (const n of gone) {
        restarted.add(n);
        io.err(`Controller "${info.name}" member ${n} was not running: started it again.`);
        await startController(home, info.name, 20_000, n).catch((e: unknown) => {
          io.err(`member ${n} did not start: ${e instanceof Error ? e.message : String(e)}`);
        });
      }
      // One on another host is looked for there over SSH, and started again when gone.
      const away = pings
        .map((_, n) => n)
        .filter((n) => pings[n] === undefined && !restarted.has(n) && memberHost(ha, n));
      for (const n of away) {
        restarted.add(n);
        await restartAway(io, home, info, n);
      }
      const active = pings.findIndex((p) => p?.member?.active === true);
      return active >= 0 ? clients[active] : undefined;
    },
    { timeoutMs: ELECTION_WAIT_MS, intervalMs: 200 },
  ).catch((e: unknown) => {
    throw new NoControllerError(info.name, e instanceof Error ? e.message : String(e));
  });
}

/** Member `n` on another host, started again there when its process is gone. */
async function restartAway(io: Io, home: string, info: ControllerInfo, n: number): Promise<void> {
  const host = info.ha && memberHost(info.ha, n);
  if (!host) return;
  const { connectOverSsh } = await import('../controller/wiring.js');
  const { restartMemberHost } = await import('../controller/enable-ha-hosts.js');
  const where = `member ${n} on machine ${host.machine} (${host.address})`;
  await restartMemberHost(home, info, controllerPaths(home, info.name), host, connectOverSsh).then(
    (found) => {
      if (found === 'started')
        io.err(`Controller "${info.name}" ${where} was not running: started it again.`);
    },
    (e: unknown) => {
      io.err(`${where} does not answer: ${e instanceof Error ? e.message : String(e)}`);
    },
  );
}

async function ensureStore(io: Io, clusterFile: string): Promise<void> {
  const { storeClusterOps } = await import('../controller/wiring.js');
  await storeClusterOps()
    .ensureAll(clusterFile)
    .catch((e: unknown) => {
      io.err(`the controller's store (etcd): ${e instanceof Error ? e.message : String(e)}`);
    });
}

/**
 * Points a remote controller's client at the first of its addresses whose member is active (a
 * controller without members is always): one standing by answers reads, and is used when none
 * is active. A certificate not from the pinned CA stops the search: that is no failover case.
 */
async function followRemote(client: ApiClient, withinMs: number): Promise<void> {
  const addresses = client.remote?.addresses ?? [];
  let standby: number | undefined;
  let failure: Error | undefined;
  for (let i = 0; i < addresses.length; i++) {
    client.address = i;
    const answer = await client.ping(withinMs).then(
      (ping) => ({ ping }),
      (error: unknown) => ({ error }),
    );
    if ('error' in answer) {
      if (answer.error instanceof CaMismatchError) throw answer.error;
      failure ??= answer.error instanceof Error ? answer.error : new Error(String(answer.error));
      continue;
    }
    if (answer.ping.member?.active !== false) return;
    standby ??= i;
  }
  if (standby !== undefined) {
    client.address = standby;
    return;
  }
  throw failure ?? new ControllerUnreachableError(client.controller, 'no API address recorded');
}
