// Before this unit restarts its member (a new charm revision, a config change, new
// certificates), a member that leads the cluster hands leadership to another, so the cluster
// never waits out an election timeout for a leader that is gone (DESIGN §11's rolling restarts).
import { etcd } from 'rune/interfaces';
import { put } from './bags.js';
import type { Ctx, Env } from './env.js';
import { MEMBER_RESTARTED } from './keys.js';
import { text } from './machine.js';
import { etcdctl, target } from './member-commands.js';
import {
  bothCommand,
  etcdctlCommand,
  readEndpointStatus,
  readMemberList,
  splitBoth,
} from './workload/etcdctl.js';
import { handoffTarget } from './workload/leader-handoff.js';

/** When each peer's unit last restarted its member, by member name (from their peer bags). */
function restartStamps(ctx: Ctx): Map<string, string> {
  const rel = ctx.relations('cluster')[0];
  const stamps = new Map<string, string>();
  for (const unit of rel?.units ?? []) {
    const bag = rel?.remote(unit).toObject() ?? {};
    const member = etcd.peer.member(bag);
    const at = bag[MEMBER_RESTARTED];
    if (member !== undefined && at !== undefined) stamps.set(member.unitName, at);
  }
  return stamps;
}

/** Moves leadership off this unit's member when it leads; a member that does not answer, or a
 * cluster of one, has nothing to hand over. etcd also transfers on a clean stop, but to any
 * member, and only once the stop has begun. */
export async function handOffLeadership(ctx: Ctx, env: Env): Promise<void> {
  const own = target(env, [env.clientUrl]);
  const [status, members] = splitBoth(
    await ctx.machine.run(
      bothCommand(
        etcdctlCommand(own, { op: 'endpoint status' }),
        etcdctlCommand(own, { op: 'member list' }),
      ),
    ),
  );
  if (status.code !== 0 || members.code !== 0) return;
  const self = readEndpointStatus(status)[0];
  if (self === undefined) return;
  const to = handoffTarget(self, readMemberList(members), restartStamps(ctx));
  if (to === undefined) return;
  const moved = await etcdctl(ctx, env, [env.clientUrl], { op: 'move-leader', to: to.id });
  if (moved.code === 0) {
    ctx.log.info(`handed etcd leadership to ${to.name} before restarting ${env.name}`);
  } else {
    ctx.log.warn(
      `could not hand etcd leadership to ${to.name} (${text(moved.stderr).trim()}); ` +
        'etcd hands it over itself as it stops',
    );
  }
}

/** Tells the peers this unit's member restarted now: the next leader to restart prefers it. */
export function stampRestart(ctx: Ctx): void {
  const rel = ctx.relations('cluster')[0];
  if (rel !== undefined) put(rel.local, MEMBER_RESTARTED, new Date().toISOString());
}
