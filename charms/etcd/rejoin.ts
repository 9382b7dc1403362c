// After the leader restored a snapshot (restore.ts), every other member belongs to a cluster that
// no longer counts: it stops, its data goes, and it joins the restored cluster through the turns
// like a new unit (membership.ts). Nothing here decides whose turn it is.
import { createHash } from 'node:crypto';
import { put } from './bags.js';
import type { Ctx, Env } from './env.js';
import { LS, MEMBER_CLUSTER, MEMBER_STARTED, type MemberRecord, STATE } from './keys.js';
import { must } from './machine.js';
import { SERVICE } from './service.js';
import { shellQuote } from 'rune/charm';

/** A short name for the cluster a token started; the token itself stays in leader settings. */
export function clusterTag(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

/**
 * Whether this unit's member started in a cluster a restore has replaced. Only a restore says
 * so (LS.restored is the current token): wiping a member's data needs that explicit word, never
 * a token that merely differs.
 */
export function inReplacedCluster(ctx: Ctx, stored: MemberRecord): boolean {
  const token = ctx.leaderSettings.get(LS.token);
  return (
    token !== undefined && ctx.leaderSettings.get(LS.restored) === token && stored.token !== token
  );
}

/** Stops the member, removes its data and forgets it; the peers stop counting it as started. */
export async function leaveReplacedCluster(ctx: Ctx, env: Env): Promise<void> {
  if ((await ctx.machine.services.status(SERVICE)).state !== 'missing') {
    await ctx.machine.services.stop(SERVICE);
  }
  await must(ctx, `removing ${env.dataDir}`, `rm -rf ${shellQuote(env.dataDir)}`);
  ctx.state.delete(STATE.member);
  // The next start is a first start: no leadership to hand over from a member that is gone.
  ctx.state.delete(STATE.serviceDigest);
  const rel = ctx.relations('cluster')[0];
  if (rel !== undefined) {
    put(rel.local, MEMBER_STARTED, '');
    put(rel.local, MEMBER_CLUSTER, '');
  }
  ctx.log.info(
    `left the cluster the leader replaced from a snapshot: member ${env.name} stopped and ` +
      `${env.dataDir} removed; joining the restored cluster in turn`,
  );
}
