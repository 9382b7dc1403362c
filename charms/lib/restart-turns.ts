// Turns to restart a unit's workload for new files (issue 15 item 5), passed over a peer
// relation: one unit of the application at a time, so new certificates never take two members
// (etcd) or two API servers (kubernetes-master) down at once. No polling: a unit asks in its peer
// bag, the leader's leader-settings change wakes the unit whose turn it is, and its "done" (the
// ask withdrawn) wakes the leader. A request names the files it is for (a digest) and a turn
// names the request, so a unit asking again for the next files cannot reuse a turn already spent.
import type { HookContext } from 'rune/charm';
import { put } from './bags.js';

/** Leader settings: `<unit> <request>`, the one unit that may restart now. */
export const RESTARTING = 'restarting';
/** Peer unit bag: the request (files digest) its workload waits to restart for. */
export const RESTART_WANTED = 'restart-wanted';

/** `etcd/10` → 10. */
const unitNumber = (unit: string) => Number(unit.slice(unit.indexOf('/') + 1));

export interface RestartTurns {
  /** Asks for a turn for the files `request` names, or (undefined) says it is done. */
  want(ctx: HookContext, request: string | undefined): void;
  /** Whether this unit may restart now for `request`; without peers nobody is waited for. */
  may(ctx: HookContext, request: string): boolean;
  /** The unit whose turn it is, for a status line; undefined when nobody's. */
  holder(ctx: HookContext): string | undefined;
  /**
   * The leader's part, on every hook: the turn stays with its request until that unit says it
   * is done (or asks for other files, or leaves); then it goes to the lowest-numbered unit
   * asking, the leader included.
   */
  pass(ctx: HookContext): void;
  /**
   * Before new files are written: a unit whose running workload would restart for them asks
   * for a turn (`request`, undefined when nothing would restart), and holds them back until it
   * has it.
   */
  take(ctx: HookContext, request: string | undefined): { hold: boolean };
  /** After the restart (or when nothing was to restart): done, the turn goes on. */
  done(ctx: HookContext): void;
}

/** The turns of the application's units on `peerEndpoint`. */
export function restartTurns(peerEndpoint: string): RestartTurns {
  const peers = (ctx: HookContext) => ctx.relations(peerEndpoint)[0];
  const turns: RestartTurns = {
    want(ctx, request) {
      const rel = peers(ctx);
      if (rel !== undefined) put(rel.local, RESTART_WANTED, request);
    },
    may(ctx, request) {
      const rel = peers(ctx);
      if (rel === undefined || rel.units.length === 0) return true;
      return ctx.leaderSettings.get(RESTARTING) === `${ctx.unit} ${request}`;
    },
    holder(ctx) {
      return ctx.leaderSettings.get(RESTARTING)?.split(' ')[0];
    },
    pass(ctx) {
      if (!ctx.isLeader) return;
      const rel = peers(ctx);
      if (rel === undefined) return;
      const request = (unit: string): string | undefined =>
        unit === ctx.unit
          ? rel.local.get(RESTART_WANTED)
          : rel.units.includes(unit)
            ? rel.remote(unit).get(RESTART_WANTED)
            : undefined;
      const [holder, held] = (ctx.leaderSettings.get(RESTARTING) ?? '').split(' ');
      if (holder !== undefined && held !== undefined && request(holder) === held) return;
      const next = [ctx.unit, ...rel.units]
        .filter((unit) => request(unit) !== undefined)
        .sort((a, b) => unitNumber(a) - unitNumber(b))[0];
      put(ctx.leaderSettings, RESTARTING, next && `${next} ${request(next) ?? ''}`);
    },
    take(ctx, request) {
      if (request !== undefined) turns.want(ctx, request);
      turns.pass(ctx);
      return { hold: request !== undefined && !turns.may(ctx, request) };
    },
    done(ctx) {
      turns.want(ctx, undefined);
      turns.pass(ctx);
    },
  };
  return turns;
}
