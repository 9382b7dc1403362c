// easyrsa: the certificate authority of Charmed Kubernetes (DESIGN §9). The leader keeps the CA
// in leader settings and answers every tls-certificates request; actions back it up and restore.
import { type HookContext, type RelationView, defineCharm } from 'rune/charm';
import { ensureCa, ensureClient, readCa } from './authority.js';
import { backup, listBackups, restore } from './backups.js';
import { warmKeys } from './key-pool.js';
import { ENDPOINT, clientKeys, planRelation, publish } from './requests.js';
import { clientRecord, recordsIn, writeRecords } from './records.js';
import { listCerts, policyOf, rotateCerts } from './certs-actions.js';
import { advanceRotation, rotateCa, rotationView } from './ca-rotation.js';

export const STATUS = {
  connected: 'Certificate Authority connected.',
  ready: 'Certificate Authority ready.',
  waitingForCa: 'Waiting for the leader to create the CA.',
} as const;

/*
 * Bag layout. Only the leader signs: the shared client certificate lives in leader settings,
 * which only it may write, and two units signing the same request would hand out two different
 * keys. The leader publishes the same provider keys (`ca`, `client.cert`, `client.key`,
 * `<unit>.server.cert`/`.server.key`, `<unit>.processed_requests`, ...) in two bags:
 *  - its own unit bag, where easyrsa 1.21 put them and where 1.21-style requirers look;
 *  - the application bag, which outlives a change of leader: it is the record the next
 *    leader reads to keep issued certificates instead of re-signing every one of them.
 * A unit that is not the leader withdraws those keys from its unit bag, so a former leader
 * stops speaking for the application at its next hook; until then its bag holds what it last
 * published, from the same CA, which the new leader keeps.
 */
// The charm touches nothing on the machine: its work is key generation and signing.
async function reconcile(ctx: HookContext): Promise<void> {
  const relations = ctx.relations(ENDPOINT);
  if (!ctx.isLeader) {
    if (ctx.state.get(LEADING) === true) ctx.state.set(LEADING, false);
    for (const rel of relations) publish(rel.local, {});
    if (readCa(ctx.leaderSettings) === undefined) {
      ctx.status.set('waiting', STATUS.waitingForCa);
    } else {
      ctx.status.set('active', connected(ctx) ? STATUS.connected : STATUS.ready);
    }
    return;
  }
  // Spares from the leader's first hook on, should the controller not have warmed the charm (a
  // restarted controller loads it only when a hook runs).
  warmKeys();
  const firstAsLeader = ctx.state.get(LEADING) !== true;
  if (firstAsLeader) ctx.state.set(LEADING, true);
  const behindUnits = advanceRotation(ctx, relations);
  const rotation = rotationView(ctx.leaderSettings);
  const { ca, made } = await ensureCa(ctx.leaderSettings, `${ctx.app} CA`);
  if (made) ctx.log.info('created the CA');
  // The shared client certificate is made only in hooks that wait for every key anyway; in the
  // others, update-status is asked for, which comes once the burst of requests is over. A burst's
  // first server certificate then gets the second key generated rather than the third, and the
  // first cluster member starts that much sooner. A rotate-ca step makes (or renews) it at once:
  // its consumers echo the step only once they have all of it.
  const makeClient =
    ctx.action !== undefined || REISSUING.has(ctx.hook.kind) || rotation !== undefined;
  const { policy, problem: configProblem } = policyOf(ctx);
  if (configProblem !== undefined) ctx.status.add('blocked', configProblem);
  const kept = await ensureClient(ctx.leaderSettings, ca, false, policy);
  const remakeClient = kept.client === undefined || (kept.due === true && makeClient);
  const problems: string[] = [];
  // Planned side by side, so new keys for every relation are generated at once; the client
  // certificate's key is asked for after theirs.
  const [plans, { client }] = await Promise.all([
    Promise.all(
      relations.map((rel) =>
        planRelation(
          rel,
          {
            ca,
            policy,
            ...(kept.client === undefined ? {} : { client: kept.client }),
            ...(rotation === undefined ? {} : { trust: rotation.trust, rotation: rotation.token }),
          },
          rel.app.toObject(),
          waits(ctx, rel, firstAsLeader || rotation !== undefined),
        ),
      ),
    ),
    remakeClient ? ensureClient(ctx.leaderSettings, ca, makeClient, policy) : kept,
  ]);
  if (client !== kept.client && client !== undefined) {
    ctx.log.info('created the client certificate');
    for (const plan of plans) Object.assign(plan.desired, clientKeys({ ca, client }));
  }
  if ((client === undefined && connected(ctx)) || (kept.due === true && !makeClient)) {
    ctx.requeue();
  }
  for (const [i, rel] of relations.entries()) {
    const plan = plans[i];
    if (plan === undefined) continue;
    publish(rel.app, plan.desired);
    publish(rel.local, plan.desired);
    if (plan.signed > 0) {
      ctx.log.info(`signed ${plan.signed} certificate(s) for ${rel.remoteAppName} (${rel.id})`);
    }
    if (plan.deferred > 0) {
      ctx.log.info(
        `${plan.deferred} request(s) of ${rel.remoteAppName} wait for their unit's hook: no key ready yet`,
      );
    }
    problems.push(...plan.problems);
  }
  logRefusals(ctx, problems);
  writeRecords(ctx.leaderSettings, [
    ...(client === undefined ? [] : clientRecord(client.cert)),
    ...plans.flatMap((plan) => recordsIn(plan.desired)),
  ]);
  if (rotation !== undefined) {
    const who = behindUnits.length > 0 ? `: waiting for ${behindUnits.join(', ')}` : '';
    ctx.status.add('maintenance', `Rotating the CA (step ${rotation.phase})${who}`);
  }
  ctx.status.add('active', connected(ctx) ? STATUS.connected : STATUS.ready);
}

/** ctx.state: the requests this unit last refused to sign, as logged. */
const REFUSED = 'refused-requests';

/**
 * A bad request is its requester's to fix, never the CA's: the CA shared by every application
 * must not go blocked over one unit's SANs (issue 15 item 11). That one request goes unsigned
 * and is logged once, when it first appears; the requester's own config checks are what tell
 * its operator, since tls-certificates has no field to carry a refusal back.
 */
function logRefusals(ctx: HookContext, problems: readonly string[]): void {
  const before = ctx.state.get<string[]>(REFUSED) ?? [];
  for (const problem of problems) {
    if (!before.includes(problem)) ctx.log.warn(`not signing: ${problem}`);
  }
  if (JSON.stringify(before) === JSON.stringify(problems)) return;
  if (problems.length === 0) ctx.state.delete(REFUSED);
  else ctx.state.set(REFUSED, [...problems]);
}

/** ctx.state: whether this unit was the leader in its last hook. */
const LEADING = 'leading';

/** Hooks where a certificate may need issuing with no requester's data changing: new charm
 * code, or one that expired. */
const REISSUING: ReadonlySet<string> = new Set(['upgrade-charm', 'update-status']);

/**
 * Whose new request this hook waits for a key for. A relation hook waits only for its remote
 * unit's: every requester's data change runs a -changed hook of its own here, where its request
 * waits in turn, so the others are signed only with keys ready now. Every request waits in a
 * unit's first hook as the leader (one may have come while another unit led), in actions (a
 * restored CA reissues everything) and in REISSUING hooks; in other hooks none does.
 */
function waits(ctx: HookContext, rel: RelationView, firstAsLeader: boolean) {
  const all = firstAsLeader || ctx.action !== undefined || REISSUING.has(ctx.hook.kind);
  return (unit: string): boolean => all || (ctx.relation?.id === rel.id && ctx.remoteUnit === unit);
}

/** A client is connected once a related unit is in scope, not merely when the relation exists. */
function connected(ctx: HookContext): boolean {
  return ctx.relations(ENDPOINT).some((rel) => rel.units.length > 0);
}

export const charm = defineCharm({
  reconcile,
  // The controller calls this when the application is deployed, before any unit has a machine:
  // keys generated from then on are ready for the CA and the first requests.
  warm: warmKeys,
  actions: {
    backup,
    'list-backups': listBackups,
    'list-certs': listCerts,
    'rotate-certs': rotateCerts,
    'rotate-ca': rotateCa,
    restore,
  },
});
