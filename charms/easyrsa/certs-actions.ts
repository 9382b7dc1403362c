// The renewal policy in force (config plus the leader's rotate-certs mark) and the actions that
// show and renew the certificates out: list-certs and rotate-certs (issue 15 item 5).
import type { HookContext } from 'rune/charm';
import { readCa } from './authority.js';
import { readRecords } from './records.js';
import { DEFAULT_POLICY, type RenewalPolicy, renewalPolicy } from './renewal.js';

/** Leader settings: leaves issued before this instant (ISO 8601) are reissued (rotate-certs). */
export const ISSUED_NOT_BEFORE = 'leaves-issued-after';

/** The policy from config and leader settings; a config mistake falls back to the defaults
 * (the CA keeps serving every application) and is `problem`, for the status. */
export function policyOf(ctx: HookContext): { policy: RenewalPolicy; problem?: string } {
  const parsed = renewalPolicy(ctx.config);
  const base = 'policy' in parsed ? parsed.policy : DEFAULT_POLICY;
  const mark = ctx.leaderSettings.get(ISSUED_NOT_BEFORE);
  const at = mark === undefined ? Number.NaN : Date.parse(mark);
  const policy = Number.isNaN(at) ? base : { ...base, issuedNotBefore: new Date(at) };
  return 'problem' in parsed ? { policy, problem: parsed.problem } : { policy };
}

export function currentPolicy(ctx: HookContext): RenewalPolicy {
  return policyOf(ctx).policy;
}

export function listCerts(ctx: HookContext): Promise<void> {
  const action = ctx.action;
  if (action === undefined) return Promise.resolve();
  const { policy } = policyOf(ctx);
  const records = readRecords(ctx.leaderSettings);
  action.setResult('count', String(records.length));
  action.setResult('certificate-lifetime-seconds', String(policy.lifetimeMs / 1000));
  action.setResult('renew-before', String(policy.renewBefore));
  for (const [i, rec] of records.entries()) {
    action.setResult(
      `cert-${i}`,
      `${rec.holder} ${rec.kind} ${rec.name} serial=${rec.serial} expires=${rec.expires} issuer=${rec.issuer}`,
    );
  }
  return Promise.resolve();
}

/**
 * New leaves for every requester, from the same CA: the leader marks every leaf issued before
 * now as due and reconciles, which reissues them all (the shared client certificate too). The
 * mark is kept (leader settings), so a new leader or a later hook finishes what this one left.
 * It is the next whole second, as certificates count whole seconds: every leaf out now is
 * before it, and the new ones are stamped with it (renewal.ts issueTime).
 */
export async function rotateCerts(ctx: HookContext, reconcile: () => Promise<void>): Promise<void> {
  const action = ctx.action;
  if (action === undefined) return;
  if (!ctx.isLeader)
    return action.fail('only the leader signs: run rotate-certs on the leader unit');
  if (readCa(ctx.leaderSettings) === undefined) {
    return action.fail('there is no CA yet: the leader has not created it');
  }
  const before = new Set(readRecords(ctx.leaderSettings).map((r) => r.serial));
  const mark = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
  ctx.leaderSettings.set(ISSUED_NOT_BEFORE, mark.toISOString());
  await reconcile();
  const after = readRecords(ctx.leaderSettings);
  const kept = after.filter((r) => before.has(r.serial));
  action.setResult('reissued', String(after.length - kept.length));
  if (kept.length > 0) {
    // A request waiting for its unit's key, or refused: its own hook takes it up.
    action.setResult('not-yet', kept.map((r) => `${r.holder} ${r.name}`).join(', '));
  }
  ctx.log.info(`rotate-certs: reissued ${after.length - kept.length} certificate(s)`);
}
