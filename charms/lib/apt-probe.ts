// Whether Debian packages can be had on the unit's machine, asked of apt once per change of the
// machine's package lists or dpkg database and remembered in the unit's state. Asking on every
// hook was what kept a 2-core host busy: ten blocked workers each ran `apt-cache policy` per
// binary per hook, a second of CPU each (issue 16).
import type { HookContext } from 'rune/charm';
import { aptProbeCommand, parseAptProbe } from './sources.js';

const KEY = 'apt-answers';

interface Answers {
  stamp: string;
  has: Record<string, boolean>;
}

function stored(ctx: HookContext): Answers {
  const value = ctx.state.get(KEY);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { stamp: '', has: {} };
  }
  const stamp = typeof value['stamp'] === 'string' ? value['stamp'] : '';
  const has = value['has'];
  const answers: Record<string, boolean> = {};
  if (typeof has === 'object' && has !== null && !Array.isArray(has)) {
    for (const [pkg, known] of Object.entries(has)) {
      if (typeof known === 'boolean') answers[pkg] = known;
    }
  }
  return { stamp, has: answers };
}

/**
 * Package → whether dpkg has it or apt lists a candidate, for each of `pkgs`. One command on the
 * machine; apt itself runs only for packages dpkg lacks and only when the lists changed since
 * the answers in the unit's state (or those answers do not cover `pkgs`).
 */
export async function aptAvailable(
  ctx: HookContext,
  pkgs: readonly string[],
): Promise<Record<string, boolean>> {
  const before = stored(ctx);
  const covered = pkgs.every((pkg) => pkg in before.has);
  const r = await ctx.machine.run(aptProbeCommand(covered ? before.stamp : '', pkgs));
  const out = parseAptProbe(r.stdout.toString());
  const pick = (has: Record<string, boolean>) =>
    Object.fromEntries(pkgs.map((pkg) => [pkg, has[pkg] === true]));
  if (covered && out.stamp === before.stamp) return pick(before.has);
  // Answers for other packages under the same stamp still hold; under a new one, none does.
  const has = out.stamp === before.stamp ? { ...before.has } : {};
  for (const pkg of pkgs) has[pkg] = out.has[pkg] === true;
  // A machine that gives no stamp (no dpkg) is asked again next time: nothing to key on.
  if (out.stamp !== '') ctx.state.set(KEY, { stamp: out.stamp, has });
  return pick(has);
}
