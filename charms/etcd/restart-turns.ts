// Turns to restart for new certificates (issue 15 item 5): a member whose certificates changed
// restarts only when the leader gave it the turn (leader settings `restarting`), one member at a
// time, so a CA rotation never takes two members down at once. Like the turns to join
// (membership.ts), each turn passes without polling: a unit asks in its peer bag, the leader's
// leader-settings change wakes the unit whose turn it is, and its "done" wakes the leader.
// A request names the files it is for (their digest), and a turn names the request: a unit
// asking again for the next step's files cannot reuse a turn the leader has already moved on.
import { put } from './bags.js';
import type { Ctx } from './env.js';
import { LS, RESTART_WANTED, ROTATION_APPLIED } from './keys.js';

/** `etcd/10` → 10. */
const unitNumber = (unit: string) => Number(unit.slice(unit.indexOf('/') + 1));

/** Asks for a turn for the files `request` names, or (undefined) says it is done. */
export function wantRestart(ctx: Ctx, request: string | undefined): void {
  const rel = ctx.relations('cluster')[0];
  if (rel !== undefined) put(rel.local, RESTART_WANTED, request);
}

/** Whether this unit may restart its member now for `request`. Without peers there is nobody
 * to wait for. */
export function mayRestart(ctx: Ctx, request: string): boolean {
  const rel = ctx.relations('cluster')[0];
  if (rel === undefined || rel.units.length === 0) return true;
  return ctx.leaderSettings.get(LS.restarting) === `${ctx.unit} ${request}`;
}

/** The unit whose turn it is, for a status line; undefined when nobody's. */
export function restartTurn(ctx: Ctx): string | undefined {
  return ctx.leaderSettings.get(LS.restarting)?.split(' ')[0];
}

/**
 * The leader's part, on every hook: the turn stays with its request until that unit says it is
 * done (or asks for other files, or leaves); then it goes to the lowest-numbered unit asking,
 * this one included.
 */
export function passRestartTurn(ctx: Ctx): void {
  if (!ctx.isLeader) return;
  const rel = ctx.relations('cluster')[0];
  if (rel === undefined) return;
  const request = (unit: string): string | undefined =>
    unit === ctx.unit
      ? rel.local.get(RESTART_WANTED)
      : rel.units.includes(unit)
        ? rel.remote(unit).get(RESTART_WANTED)
        : undefined;
  const [holder, held] = (ctx.leaderSettings.get(LS.restarting) ?? '').split(' ');
  if (holder !== undefined && held !== undefined && request(holder) === held) return;
  const next = [ctx.unit, ...rel.units]
    .filter((unit) => request(unit) !== undefined)
    .sort((a, b) => unitNumber(a) - unitNumber(b))[0];
  put(ctx.leaderSettings, LS.restarting, next && `${next} ${request(next) ?? ''}`);
}

/**
 * Before the certificates are written: a running member whose files would change asks for a
 * turn for them (`request`: their digest), and holds them back (`hold`) until it has it. A unit
 * not yet a member writes at once: it has nothing to restart.
 */
export function takeRestartTurn(
  ctx: Ctx,
  running: boolean,
  request: string | undefined,
): { hold: boolean } {
  const asking = running && request !== undefined;
  if (asking) wantRestart(ctx, request);
  passRestartTurn(ctx);
  return { hold: asking && !mayRestart(ctx, request) };
}

/**
 * After the hook's look at its member: one that serves with its files in place is done, and
 * tells the CA which rotation step it applied (`none` outside a rotation: it speaks the
 * protocol, so a rotation waits for it).
 */
export function endRestartTurn(
  ctx: Ctx,
  serving: boolean,
  hold: boolean,
  rotation: string | undefined,
): void {
  if (hold) {
    const turn = restartTurn(ctx);
    const now = turn === undefined ? '' : ` (${turn} is restarting)`;
    ctx.status.add('waiting', `Waiting for its turn to restart with new certificates${now}`);
    return;
  }
  if (!serving) return;
  wantRestart(ctx, undefined);
  passRestartTurn(ctx);
  const certs = ctx.relations('certificates')[0];
  if (certs !== undefined) put(certs.local, ROTATION_APPLIED, rotation ?? 'none');
}
