// The upgrade action of the Kubernetes charms: fetch every binary again from its source, fail
// naming what cannot be had, restart the services that run, then reconcile as a hook would.
import type { HookContext } from 'rune/charm';
import { type BinaryReport, binariesBlocked } from './binaries.js';
import { restartInstalled } from './services.js';

export function upgradeAction<C extends HookContext>(
  reinstallAll: (ctx: C) => Promise<BinaryReport>,
  services: readonly string[],
  reconcile: (ctx: C) => Promise<void>,
): (ctx: C) => Promise<void> {
  return async (ctx) => {
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
