// rotate-ca: a new CA without an outage, in BOSH/CredHub's transitional steps (issue 15 item 5).
// 1 trust-both: `ca` is old+new, leaves still from the old CA; 2 reissue: the new CA signs every
// leaf, `ca` still both; 3 drop-old: `ca` is the new CA alone. Each step waits until every
// consumer unit echoed the step's token (`ca_rotation_applied`, core/interfaces/ca-rotation.ts),
// i.e. it wrote and restarted; etcd echoes only once its own db clients have (docs/ca-rotation.md).
import { createHash } from 'node:crypto';
import type { HookContext, RelationView, WriteBag } from 'rune/charm';
import { caRotation } from 'rune/interfaces';
import { CA_CERT, CA_KEY, readCa } from './authority.js';
import { takeKey } from './key-pool.js';
import { createCA } from './pki.js';

export type RotationPhase = 'trust-both' | 'reissue' | 'drop-old';

/** Leader settings: the phase, the next CA (trust-both) and the old CA's certificate (reissue). */
const PHASE = 'ca-rotation';
const NEXT_CERT = 'ca.next.crt';
const NEXT_KEY = 'ca.next.key';
const OLD_CERT = 'ca.old.crt';

export function rotationPhase(settings: WriteBag): RotationPhase | undefined {
  const phase = settings.get(PHASE);
  return phase === 'trust-both' || phase === 'reissue' || phase === 'drop-old' ? phase : undefined;
}

/** What the relations publish for the step in force: the trusted bundle and the step's token. */
export function rotationView(
  settings: WriteBag,
): { trust: string; token: string; phase: RotationPhase } | undefined {
  const phase = rotationPhase(settings);
  const ca = settings.get(CA_CERT);
  if (phase === undefined || ca === undefined) return undefined;
  const bundle = (...pems: (string | undefined)[]) =>
    pems.flatMap((p) => (p === undefined ? [] : [p.trim()])).join('\n') + '\n';
  const trust =
    phase === 'trust-both'
      ? bundle(ca, settings.get(NEXT_CERT))
      : phase === 'reissue'
        ? bundle(settings.get(OLD_CERT), ca)
        : ca;
  // The new CA's digest names the rotation, the phase its step.
  const newCa = phase === 'trust-both' ? (settings.get(NEXT_CERT) ?? '') : ca;
  const id = createHash('sha256').update(newCa).digest('hex').slice(0, 16);
  return { trust, token: `${id}/${phase}`, phase };
}

/** The consumer units that speak the protocol (they echo a token) and have not applied `token`. */
export function behind(relations: readonly RelationView[], token: string): string[] {
  return relations.flatMap((rel) =>
    caRotation.behind(
      rel.units.map((unit) => [unit, rel.remote(unit).view()] as const),
      token,
    ),
  );
}

/**
 * The leader's step on every hook: once every consumer applied the step in force, the next one.
 * Returns the units still behind, for the status.
 */
export function advanceRotation(ctx: HookContext, relations: readonly RelationView[]): string[] {
  const settings = ctx.leaderSettings;
  const view = rotationView(settings);
  if (view === undefined) return [];
  const waiting = behind(relations, view.token);
  if (waiting.length > 0) return waiting;
  if (view.phase === 'trust-both') {
    const old = readCa(settings);
    const nextCert = settings.get(NEXT_CERT);
    const nextKey = settings.get(NEXT_KEY);
    if (old === undefined || nextCert === undefined || nextKey === undefined) {
      settings.delete(PHASE);
      return [];
    }
    settings.set(OLD_CERT, old.cert);
    settings.set(CA_CERT, nextCert);
    settings.set(CA_KEY, nextKey);
    settings.delete(NEXT_CERT);
    settings.delete(NEXT_KEY);
    settings.set(PHASE, 'reissue');
    ctx.log.info('rotate-ca: every consumer trusts both CAs; reissuing every leaf from the new CA');
  } else if (view.phase === 'reissue') {
    settings.delete(OLD_CERT);
    settings.set(PHASE, 'drop-old');
    ctx.log.info('rotate-ca: every consumer has a leaf from the new CA; dropping the old CA');
  } else {
    settings.delete(PHASE);
    ctx.log.info('rotate-ca: done; the old CA is trusted nowhere');
  }
  return behind(relations, rotationView(settings)?.token ?? '');
}

/** The rotate-ca action: a new CA, published beside the old one; the rest follows by itself. */
export async function rotateCa(ctx: HookContext, reconcile: () => Promise<void>): Promise<void> {
  const action = ctx.action;
  if (action === undefined) return;
  if (!ctx.isLeader) return action.fail('only the leader signs: run rotate-ca on the leader unit');
  const phase = rotationPhase(ctx.leaderSettings);
  if (phase !== undefined) {
    return action.fail(`a CA rotation is under way (step ${phase}); it goes on by itself`);
  }
  if (readCa(ctx.leaderSettings) === undefined) {
    return action.fail('there is no CA yet: the leader has not created it');
  }
  // A name of its own, so an operator tells the two CAs apart (RFC 5280's 64 characters).
  const name = `${ctx.app} CA ${new Date().toISOString().slice(0, 19)}`.slice(0, 64);
  const next = await createCA(name, new Date(), takeKey());
  ctx.leaderSettings.set(NEXT_CERT, next.cert);
  ctx.leaderSettings.set(NEXT_KEY, next.key);
  ctx.leaderSettings.set(PHASE, 'trust-both');
  ctx.log.info('rotate-ca: a new CA is published beside the old one');
  await reconcile();
  action.setResult('phase', rotationPhase(ctx.leaderSettings) ?? 'done');
  // Public: an operator hands it to clients outside the model, to trust before the reissue.
  action.setResult('new-ca', next.cert);
}
