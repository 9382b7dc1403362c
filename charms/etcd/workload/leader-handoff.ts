// Whom an etcd leader about to restart hands its leadership to: a started member other than
// itself, the most recently restarted first (in a rolling change, one already on the new
// version, so leadership moves once rather than at every restart). Pure.
import { type Member, isStarted } from './cluster.js';
import type { EndpointStatus } from './etcdctl.js';

/**
 * The member to move leadership to, or undefined when this member is not the leader (or knows
 * none) or no other member is started. `restartedAt` maps member names to when their units last
 * restarted them (ISO times; absent for members never restarted).
 */
export function handoffTarget(
  own: EndpointStatus,
  members: readonly Member[],
  restartedAt: ReadonlyMap<string, string>,
): Member | undefined {
  if (own.leader === undefined || own.leader !== own.memberId) return undefined;
  const others = members.filter((m) => isStarted(m) && !m.isLearner && m.id !== own.memberId);
  const stamp = (m: Member) => restartedAt.get(m.name) ?? '';
  // Newest restart first; ties (never restarted) by id, so the choice is the same on a re-run.
  return [...others].sort((a, b) =>
    stamp(a) !== stamp(b) ? (stamp(a) < stamp(b) ? 1 : -1) : a.id < b.id ? -1 : 1,
  )[0];
}
