// The keys the etcd charm keeps: in leader settings, in its peer bags and in ctx.state, and the
// record it stores of how its member first started. Names only; nothing here reads or writes.
import { RESTARTING } from '../lib/restart-turns.js';
import type { ClusterState } from './workload/cluster.js';

/** Leader settings: the cluster as the leader last saw it, and whose turn it is to join. */
export const LS = {
  /** `--initial-cluster-token`, generated once when the leader bootstraps. */
  token: 'token',
  /** Started members as an initial-cluster string (`etcd-0=https://…:2380,…`). */
  cluster: 'cluster',
  /** Started members' client URLs, sorted: where a joining unit runs `member add`. */
  clientUrls: 'client_urls',
  /** The one unit allowed to add itself now; absent when nobody may. */
  joining: 'joining',
  /** The token of the cluster the restore action last made: a member started under another
   * token belongs to the cluster it replaced, and leaves it to join this one (rejoin.ts). */
  restored: 'restored',
  /** The one unit allowed to restart its member for new certificates (lib/restart-turns.ts). */
  restarting: RESTARTING,
} as const;

/** Peer unit bag: set once this unit's member is started and healthy (wakes the leader). */
export const MEMBER_STARTED = 'member-started';
/** Peer unit bag, beside MEMBER_STARTED: which cluster (a digest of its token) the member started
 * in, so a start in a cluster a restore replaced does not count (rejoin.ts). */
export const MEMBER_CLUSTER = 'member-cluster';
/** Peer unit bag: set once this unit's certificates are written (it can join when told). */
export const MEMBER_READY = 'member-ready';
/** Peer unit bag: when this unit last restarted its member (an etcd leader about to restart
 * hands its leadership to the most recently restarted: in a rollout, one already updated). */
export const MEMBER_RESTARTED = 'member-restarted';

// Restart turns (`restarting` above, `restart-wanted` in peer bags) and the CA rotation echo
// (`ca_rotation`/`ca_rotation_applied`) are named where they are spoken: charms/lib/restart-turns.ts
// and core/interfaces/ca-rotation.ts.

/** ctx.state keys. */
export const STATE = {
  installed: 'installed',
  tlsDigest: 'tls-digest',
  /** The shared client certificate last written (it changes nothing for the member). */
  clientDigest: 'client-digest',
  /** The service spec last installed: hooks that change nothing skip comparing it. */
  serviceDigest: 'service-digest',
  member: 'member',
  /** What the last look at the cluster concluded (last-look.ts). */
  lastLook: 'last-look',
} as const;

/** How this unit's member was first started (STATE.member); reused so membership changes never
 * restart it. */
export type MemberRecord = { token: string; initialCluster: string; state: ClusterState };
