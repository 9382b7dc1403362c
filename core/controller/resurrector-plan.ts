// Which lost machines the resurrector replaces now (DESIGN §12; BOSH's resurrector): local
// machines lost for longer than the grace period, unless so many machines were lost so recently
// that it looks like a partition rather than dead machines (the meltdown brake). Pure.

/** BOSH's meltdown brake: more than this share of the machines lost within the window... */
export const MELTDOWN_SHARE = 0.2;
export const MELTDOWN_WINDOW_MS = 10 * 60_000;
/** ...and more than this many: a small model may always replace up to this many. */
export const MELTDOWN_FLOOR = 5;

export interface MachineFact {
  id: string;
  /** Only the provider's own machines can be made again; a manual host never is. */
  replaceable: boolean;
  /** When its probes began to fail (ms since the epoch); absent while it answers. */
  lostSince?: number;
}

export interface ResurrectorSettings {
  enabled: boolean;
  graceMs: number;
}

export interface ResurrectionPlan {
  /** Machines to replace now, by id. */
  replace: string[];
  /** Why nothing is replaced although machines are lost: the brake, for status and the log. */
  brake?: string;
}

export function planResurrection(
  machines: readonly MachineFact[],
  settings: ResurrectorSettings,
  now: number,
): ResurrectionPlan {
  if (!settings.enabled) return { replace: [] };
  const lost = machines.filter((m) => m.lostSince !== undefined);
  const recent = lost.filter((m) => now - (m.lostSince ?? now) <= MELTDOWN_WINDOW_MS);
  const limit = Math.max(MELTDOWN_FLOOR, MELTDOWN_SHARE * machines.length);
  if (recent.length > limit) {
    return {
      replace: [],
      brake:
        `meltdown brake on: ${recent.length} of ${machines.length} machines lost within ` +
        `${MELTDOWN_WINDOW_MS / 60_000} minutes (more than ${MELTDOWN_SHARE * 100}% and more than ` +
        `${MELTDOWN_FLOOR}); replacing none until they answer or are removed`,
    };
  }
  return {
    replace: lost
      .filter((m) => m.replaceable && now - (m.lostSince ?? now) >= settings.graceMs)
      .map((m) => m.id),
  };
}
