// The health checks the etcd charm declares (DESIGN §11, issue 15 A3): its own member answering
// and its service running, every 10 s. The machine agent runs them between hooks, so a stopped
// member or a deleted TLS directory is repaired by reconcile within seconds, not minutes.
import type { Ctx, Env } from './env.js';
import { listening, target } from './member-commands.js';
import { SERVICE } from './service.js';
import { etcdctlCommand } from './workload/etcdctl.js';

export const CHECKS = { member: 'etcd', service: 'etcd-service' } as const;
export const CHECK_EVERY_MS = 10_000;

/**
 * This unit's member answers `endpoint health`. A closed port fails at once and says so (etcdctl
 * would wait out gRPC's reconnect backoff for its whole timeout); etcdctl's own last words are
 * kept for the status, without its JSON log lines and its closing "unhealthy cluster".
 */
export function memberHealthCommand(env: Env): string {
  const health = etcdctlCommand(
    { ...target(env, [env.clientUrl]), commandTimeoutMs: 3_000 },
    { op: 'endpoint health', simple: true },
  );
  return (
    `${listening(env)} || { echo 'etcd is not listening on port ${env.config.port}' >&2; exit 1; }; ` +
    `o=$(${health} 2>&1) && exit 0; ` +
    `printf '%s\\n' "$o" | grep -v -e '^{' -e '^Error: unhealthy cluster' >&2; exit 1`
  );
}

/** Declared on every hook where this unit runs a member: unchanged, they keep their verdicts. */
export function declareChecks(ctx: Ctx, env: Env): void {
  ctx.checks.set(CHECKS.member, { command: memberHealthCommand(env), everyMs: CHECK_EVERY_MS });
  ctx.checks.set(CHECKS.service, { service: SERVICE, everyMs: CHECK_EVERY_MS });
}

/** A unit whose member leaves has nothing left to check. */
export function forgetChecks(ctx: Ctx): void {
  ctx.checks.remove(CHECKS.member);
  ctx.checks.remove(CHECKS.service);
}
