// The upgrade action of the Kubernetes charms: fetch every binary again from its source, fail
// naming what cannot be had, restart the services that run, then reconcile as a hook would.
// Invalid config fails it before anything is fetched: the sources are config.
import type { HookContext } from 'rune/charm';
import { type BinaryReport, binariesBlocked } from './binaries.js';
import { restartInstalled } from './services.js';

export function upgradeAction<C extends HookContext>(
  reinstallAll: (ctx: C) => Promise<BinaryReport>,
  services: readonly string[],
  reconcile: (ctx: C) => Promise<void>,
  /** The blocked message invalid config calls for, or undefined when it is fine. */
  invalidConfig: (ctx: C) => string | undefined = () => undefined,
): (ctx: C) => Promise<void> {
  return async (ctx) => {
    const invalid = invalidConfig(ctx);
    if (invalid !== undefined) {
      ctx.action?.fail(invalid);
      return;
    }
    const report = await reinstallAll(ctx);
    const blocked = binariesBlocked(ctx.app, report);
    if (blocked !== undefined) {
      ctx.action?.fail(blocked);
      return;
    }
    ctx.action?.setResult('upgraded', report.changed.join(' '));
    const done = await restartInstalled(ctx, services);
    ctx.action?.setResult('restarted', done.join(' '));
    await reconcile(ctx);
  };
}
