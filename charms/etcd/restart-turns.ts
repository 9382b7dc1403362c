// Turns to restart for new certificates (issue 15 item 5): a member whose certificates changed
// restarts only when the leader gave it the turn, one member at a time, so a CA rotation never
// takes two members down at once. The turns themselves are charms/lib/restart-turns.ts, passed
// over the `cluster` peers; here is when a member asks, and what it tells the CA once done.
import { caRotation } from 'rune/interfaces';
import { putAll } from '../lib/bags.js';
import { restartTurns } from '../lib/restart-turns.js';
import type { Ctx } from './env.js';

const turns = restartTurns('cluster');

/** The unit whose turn it is, for a status line; undefined when nobody's. */
export const restartTurn = (ctx: Ctx): string | undefined => turns.holder(ctx);

/** The leader's part, on every hook (lib/restart-turns.ts). */
export const passRestartTurn = (ctx: Ctx): void => turns.pass(ctx);

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
  return turns.take(ctx, running ? request : undefined);
}

/**
 * After the hook's look at its member: one that serves with its files in place is done, and
 * tells the CA which rotation step it applied (`none` outside a rotation: it speaks the
 * protocol, so a rotation waits for it) — but only once every `db` client applied that step
 * too (`clientsBehind` empty, db-rotation.ts): the CA moves on when this unit echoes, and its
 * next step (a reissued client certificate, then the old CA dropped) would otherwise cut off a
 * client still on the last one.
 */
export function endRestartTurn(
  ctx: Ctx,
  serving: boolean,
  hold: boolean,
  rotation: string | undefined,
  clientsBehind: readonly string[] = [],
): void {
  if (hold) {
    const turn = restartTurn(ctx);
    const now = turn === undefined ? '' : ` (${turn} is restarting)`;
    ctx.status.add('waiting', `Waiting for its turn to restart with new certificates${now}`);
    return;
  }
  if (!serving) return;
  turns.done(ctx);
  if (clientsBehind.length > 0) {
    ctx.status.add(
      'waiting',
      `Waiting for ${clientsBehind.join(', ')} to apply the CA rotation step`,
    );
    return;
  }
  const certs = ctx.relations('certificates')[0];
  if (certs !== undefined) putAll(certs.local, caRotation.echo(certs.local.toObject(), rotation));
}
