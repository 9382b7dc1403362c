// greeter: the example charm of docs/charm-authoring.md. Wiring + workload: one idempotent
// reconcile derives everything from current facts and ends with one status; only stop and
// remove get handlers of their own. Imports only Rune's SDK (core/charm, core/interfaces).
import { type HookContext, defineCharm } from 'rune/charm';
import { http } from 'rune/interfaces';

export type GreeterConfig = { port: number; greeting: string };

const SITE = '/srv/greeter';
const SERVICE = 'greeter';

/** The page. Pure: the same facts give the same bytes, so rewriting it on every hook is harmless. */
export function page(greeting: string, unit: string, units: number): string {
  const text = greeting.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>\n<h1>${text}</h1>\n<p>${unit}, one of ${units}</p>\n`;
}

async function reconcile(ctx: HookContext<GreeterConfig>): Promise<void> {
  // Facts, read fresh every time: config, and the peers in scope right now.
  const port = ctx.config.port ?? 8080;
  const greeting = ctx.config.greeting ?? 'Hello from Rune';
  const peers = ctx.relations('replicas')[0];
  const units = (peers?.units.length ?? 0) + 1;

  // A value only the operator can fix: say so and do nothing else.
  if (port < 1024 || port > 65535) {
    ctx.status.set('blocked', `port ${port} is outside 1024-65535`);
    return;
  }

  // The workload. Every call is idempotent, so running all of them on every hook is safe.
  await ctx.machine.installPackages(['python3']);
  await ctx.machine.writeFile(`${SITE}/index.html`, page(greeting, ctx.unit, units), {
    mode: 0o644,
  });
  // A changed definition (new port) is restarted; otherwise start is a no-op when running.
  await ctx.machine.services.ensure({
    name: SERVICE,
    command: ['python3', '-m', 'http.server', String(port), '--directory', SITE],
  });

  // The wiring. Every unit tells each related application where it serves (its own bag) ...
  for (const website of ctx.relations('website')) {
    const hostname = website.local.get('private-address') ?? '';
    const writes = http.provider.publish(website.local.toObject(), { hostname, port });
    for (const [key, value] of Object.entries(writes)) website.local.set(key, value);
    // ... and only the leader writes the application bag: how many units serve the site.
    if (ctx.isLeader) website.app.set('units', String(units));
  }

  ctx.status.set('active', `serving on port ${port}, ${units} unit${units === 1 ? '' : 's'}`);
}

export const charm = defineCharm<GreeterConfig>({
  reconcile,
  on: {
    // stop runs once a started unit is going away; the service may be missing if the unit
    // never got past "blocked", and a hook must not fail over that.
    stop: async (ctx) => {
      if ((await ctx.machine.services.status(SERVICE)).state !== 'missing') {
        await ctx.machine.services.stop(SERVICE);
      }
      ctx.status.set('maintenance', 'stopped');
    },
    // remove is the last hook ever: clean the machine. services.remove is idempotent.
    remove: async (ctx) => {
      await ctx.machine.services.remove(SERVICE);
    },
  },
});
