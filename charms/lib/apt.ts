// Debian packages a charm installs, tried once per unit: a machine with no route to a mirror
// (Rune's local machines) lists packages it cannot fetch, and asking apt again on every hook
// would only make every hook slower. The failure is remembered in the unit's state.
import type { HookContext } from 'rune/charm';

const FAILED = 'apt-failed';

/** Whether the package is installed now; false (and remembered) when apt cannot install it. */
export async function aptInstallOnce(ctx: HookContext, pkg: string): Promise<boolean> {
  const failed = ctx.state.get<string[]>(FAILED) ?? [];
  if (failed.includes(pkg)) return false;
  try {
    await ctx.machine.installPackages([pkg]);
    return true;
  } catch (error) {
    ctx.log.warn(`apt-get could not install ${pkg}: ${String(error)}`);
    ctx.state.set(FAILED, [...failed, pkg].sort());
    return false;
  }
}
