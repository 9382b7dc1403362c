// What this unit's last look at the cluster concluded (kept in ctx.state), and the hooks that may
// reuse it instead of asking etcd again: a running member's hooks that bring nothing etcd would
// answer differently (its certificates relation, the leader's news of a join it has seen).
import type { Ctx, Env } from './env.js';
import { list } from './bags.js';
import { LS, STATE } from './keys.js';
import type { ClusterView } from './membership.js';
import { connectionString, isStarted } from './workload/cluster.js';

export interface Look {
  /** This unit's own member answered its health check. */
  serving: boolean;
  /** The started members' client URLs, as `db` clients are told. */
  clientUrls: string[];
  status: { kind: 'active' | 'waiting'; message: string };
}

/** `Healthy with 3 known peers` (every member, this one included, as 1.21 counted them). */
export function clusterStatus(view: ClusterView): Look['status'] {
  const n = view.members.length;
  const peers = `${n} known peer${n === 1 ? '' : 's'}`;
  const answers = (urls: readonly string[]) =>
    view.health.some((h) => h.healthy && urls.includes(h.endpoint));
  const silent = view.members.filter((m) => isStarted(m) && !answers(m.clientUrls));
  const pending = view.members.filter((m) => !isStarted(m)).length;
  if (silent.length === 0 && pending === 0) {
    return { kind: 'active', message: `Healthy with ${peers}` };
  }
  const parts = [
    ...silent.map((m) => `${m.name} not answering`),
    ...(pending > 0 ? [`${pending} not started`] : []),
  ];
  return { kind: 'waiting', message: `Unhealthy with ${peers}: ${parts.join(', ')}` };
}

/** What a view means for this unit, recorded for the hooks that may reuse it. */
export function recordLook(ctx: Ctx, env: Env, view: ClusterView): Look {
  const look: Look = {
    serving: view.health.some((h) => h.endpoint === env.clientUrl && h.healthy),
    clientUrls: view.members.filter(isStarted).flatMap((m) => m.clientUrls),
    status: clusterStatus(view),
  };
  ctx.state.set(STATE.lastLook, { ...look, status: { ...look.status } });
  return look;
}

/** A look that found no answer is no look to reuse. */
export function forgetLook(ctx: Ctx): void {
  ctx.state.delete(STATE.lastLook);
}

/**
 * The last look, when it found the cluster healthy and this hook may stand on it. Two kinds of
 * hook of a member that ran before this hook and keeps running as it was (no new server files,
 * none held for a restart turn, no CA rotation under way) bring nothing etcd would answer
 * differently (issue 16 item 8: each look is two etcdctl runs, ~0.2-0.4 s a hook on a loaded
 * host, and these were the last hooks of a deploy):
 *  - a hook on the certificates relation: it writes the shared client certificate at most, which
 *    reaches every member in two such hooks (easyrsa's unit bag and its application bag);
 *  - leader-settings-changed where the leader publishes as started exactly the members the last
 *    look saw serving: the leader's news of a join this member has seen for itself.
 * A member that stopped meanwhile shows through its health checks (health.ts) and the next hook
 * that looks; cluster and lifecycle hooks always look.
 */
export function reusableLook(
  ctx: Ctx,
  facts: { fresh: boolean; serverFilesChanged: boolean; rotation: string | undefined },
): Look | undefined {
  if (facts.fresh || facts.serverFilesChanged || facts.rotation !== undefined) return undefined;
  const kept = ctx.state.get<Look & Record<string, never>>(STATE.lastLook);
  // Only a healthy cluster is taken on trust: anything less is looked at again, as it may be
  // recovering as this hook runs.
  if (kept?.serving !== true || kept.status.kind !== 'active') return undefined;
  if (ctx.relation?.endpoint === 'certificates') return kept;
  const published = connectionString(list(ctx.leaderSettings.get(LS.clientUrls)));
  const seen = published !== '' && published === connectionString(kept.clientUrls);
  return ctx.hook.kind === 'leader-settings-changed' && seen ? kept : undefined;
}
