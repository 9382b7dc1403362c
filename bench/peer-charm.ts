// The charm-runtime benchmark's charm: the counter fixture's shape (a config file, one service, a
// peer relation) in TS that tsc compiles into dist/, but each unit's relation data is written
// once and never changes, so the hooks counted are the controller's, not a charm's cascade.
import { type Charm, compileConfigSchema, defineCharm } from '../core/charm/index.js';

export const PEER_CHARM: Charm = {
  meta: {
    name: 'bench-peer',
    summary: 'A peer-relation charm for the charm-runtime benchmark.',
    description: 'Writes its config file, runs one service and greets its peers once.',
    subordinate: false,
    resources: {},
    endpoints: [
      { name: 'cluster', role: 'peer', interface: 'bench-peers', scope: 'global', optional: false },
    ],
  },
  config: { options: {}, schema: compileConfigSchema({}) },
  actions: {},
  dir: '(compiled into bench/peer-charm.ts)',
};

export const peerCharm = defineCharm({
  async reconcile(ctx) {
    const cluster = ctx.relations('cluster')[0];
    const peers = cluster?.units.length ?? 0;
    // Ten units share a machine: each keeps its own file and service.
    const slug = ctx.unit.replace('/', '-');
    const conf = `/etc/bench/${slug}.conf`;
    await ctx.machine.writeFile(conf, `peers=${peers}\n`);
    const changed = await ctx.machine.services.install({
      name: `bench-${slug}`,
      command: ['/usr/bin/bench', '--config', conf],
    });
    if (changed === true) await ctx.machine.services.restart(`bench-${slug}`);
    // Stable values: a rewrite is a no-op commit that wakes nobody (DESIGN §6).
    cluster?.local.set('host', slug);
    if (ctx.isLeader) cluster?.app.set('leader', ctx.unit);
    ctx.status.set('active', `${peers} peers`);
  },
});
