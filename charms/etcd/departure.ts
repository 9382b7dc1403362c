// A unit leaving: its member leaves the cluster through another member (so the cluster never
// counts a member that will not come back), then its service stops. Run from `stop` and from
// `cluster-relation-broken`: a peer relation breaks only for a unit that is going away.
import { list } from './bags.js';
import { type Ctx, type Env, makeEnv } from './env.js';
import { LS, STATE } from './keys.js';
import { must, text } from './machine.js';
import { ALREADY_REMOVED, etcdctl, memberRemoveCommand } from './member-commands.js';
import { SERVICE } from './service.js';
import { installedLayout } from './install.js';
import { isStarted } from './workload/cluster.js';
import { readMemberList } from './workload/etcdctl.js';

export async function leaveCluster(ctx: Ctx): Promise<void> {
  const layout = installedLayout(ctx);
  // Only a unit that recorded starting a member has one to remove.
  if (layout !== undefined && ctx.state.get(STATE.member) !== undefined) {
    await removeOwnMember(ctx, makeEnv(ctx, layout));
  }
  if ((await ctx.machine.services.status(SERVICE)).state !== 'missing') {
    await ctx.machine.services.stop(SERVICE);
  }
  ctx.state.delete(STATE.member);
}

async function removeOwnMember(ctx: Ctx, env: Env): Promise<void> {
  // Our own endpoint first; the others in case ours is already down (a second run, a crash).
  const endpoints = [...new Set([env.clientUrl, ...list(ctx.leaderSettings.get(LS.clientUrls))])];
  const listed = await etcdctl(ctx, env, endpoints, { op: 'member list' });
  if (listed.code !== 0) {
    ctx.log.warn(
      `cannot reach the cluster to remove member ${env.name} (${text(listed.stderr).trim()}); ` +
        'the leader removes it once it stops answering',
    );
    return;
  }
  const members = readMemberList(listed);
  const me = members.find((m) => m.name === env.name || m.peerUrls.includes(env.peerUrl));
  const others = members.filter((m) => m !== me && isStarted(m)).flatMap((m) => m.clientUrls);
  if (me === undefined) return;
  if (others.length === 0) {
    ctx.log.info(`member ${env.name} is the last one: the cluster ends with it`);
    return;
  }
  const remove = memberRemoveCommand(env, others, me.id, 40, 0.5);
  const out = await must(ctx, `removing member ${env.name}`, remove, 120_000);
  ctx.log.info(
    out.includes(ALREADY_REMOVED)
      ? `member ${env.name} (${me.idHex}) was removed from the cluster already`
      : `removed member ${env.name} (${me.idHex}) from the cluster`,
  );
}
