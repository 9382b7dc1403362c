// etcdctl as this unit, and the commands it runs against its own member and the cluster: wait
// for its port, observe members and health, add itself, wait until it answers. Strings for
// `ctx.machine.run`, built from the unit's Env.
import type { CommandResult } from 'rune/charm';
import { retrying } from '../lib/shell.js';
import type { Ctx, Env } from './env.js';
import {
  type EtcdctlOp,
  type EtcdctlTarget,
  bothCommand,
  etcdctlCommand,
} from './workload/etcdctl.js';

/**
 * etcdctl as this unit: the member's own certificate (serverAuth and clientAuth, the identity it
 * shows its peers too), this install's etcdctl. Not the shared client certificate, which comes
 * later: a member bootstraps and joins without it.
 */
export function target(env: Env, endpoints: readonly string[]): EtcdctlTarget {
  return {
    endpoints,
    cacert: env.tls.ca,
    cert: env.tls.serverCert,
    key: env.tls.serverKey,
    bin: env.layout.etcdctl,
  };
}

export function etcdctl(
  ctx: Ctx,
  env: Env,
  endpoints: readonly string[],
  op: EtcdctlOp,
): Promise<CommandResult> {
  return ctx.machine.run(etcdctlCommand(target(env, endpoints), op));
}

/**
 * Whether this unit's client port listens (true where ss is missing: etcdctl alone decides then).
 * An etcdctl that dials a closed port sits in gRPC's reconnect backoff (a full second) instead
 * of failing, so asking a member that is still starting would hide its start.
 */
export function listening(env: Env): string {
  return `{ ! command -v ss >/dev/null 2>&1 || ss -Hltn 'sport = :${env.config.port}' | grep -q .; }`;
}

/**
 * Waits up to `seconds` for this unit's client port to listen; succeeds either way. Polled every
 * 20 ms (one ss each): a member starts listening ~0.1 s after it is started, and the bootstrap
 * and every join wait on this.
 */
export function untilListeningCommand(env: Env, seconds: number): string {
  const polls = Math.ceil(seconds / 0.02);
  return `w=0; until ${listening(env)} || [ "$w" -ge ${polls} ]; do w=$((w+1)); sleep 0.02; done`;
}

/**
 * member list and `endpoint health --cluster` through `endpoints`, at once (bothCommand). This
 * unit's own member may have been started moments before: its port is waited for first.
 */
export function observeCommand(env: Env, endpoints: readonly string[]): string {
  const list = etcdctlCommand(target(env, endpoints), { op: 'member list' });
  const health = etcdctlCommand(target(env, endpoints), { op: 'endpoint health', cluster: true });
  const own = endpoints.length === 1 && endpoints[0] === env.clientUrl;
  return `${own ? `${untilListeningCommand(env, 10)}; ` : ''}${bothCommand(list, health)}`;
}

/**
 * This unit's own endpoint answers a health check, waiting up to ~30 s for it to start. Polled
 * every 0.05 s: a new member is ready anywhere from 0.1 s to a second after it starts (its first
 * election), and every join waits on this.
 */
export function waitHealthyCommand(env: Env): string {
  const health = etcdctlCommand(target(env, [env.clientUrl]), { op: 'endpoint health' });
  return retrying(`${listening(env)} && ${health}`, 600, 0.05);
}

/**
 * Adds this unit's member through `endpoints`. Refused while the cluster has no leader yet, or
 * within 5 s of a member starting under strict reconfiguration checks ("unhealthy cluster"):
 * retried briefly and often, on the machine.
 */
export function memberAddCommand(env: Env, endpoints: readonly string[]): string {
  const add = etcdctlCommand(target(env, endpoints), {
    op: 'member add',
    name: env.name,
    peerUrls: [env.peerUrl],
  });
  return retrying(add, 400, 0.05);
}

/** What memberRemoveCommand prints when the member was gone already. */
export const ALREADY_REMOVED = 'rune: member already removed';

/**
 * Removes member `id` through `endpoints`, retried `attempts` times `delaySeconds` apart: etcd
 * refuses a removal within 5 s of a member starting ("unhealthy cluster"). A member that is not
 * found was removed meanwhile by another unit (the leader, or the leaving unit itself): that is
 * success, said on stdout, not a reason to retry.
 */
export function memberRemoveCommand(
  env: Env,
  endpoints: readonly string[],
  id: bigint,
  attempts: number,
  delaySeconds: number,
): string {
  const remove = etcdctlCommand(target(env, endpoints), { op: 'member remove', id });
  const once =
    `o=$(${remove} 2>&1) && exit 0; ` +
    `case "$o" in *'member not found'*) echo '${ALREADY_REMOVED}'; exit 0;; esac; ` +
    `printf '%s\n' "$o" >&2; exit 1`;
  return retrying(once, attempts, delaySeconds);
}
