// flannel: the wiring. One reconcile derives everything from config, the etcd relation and the
// machine: install flanneld, store the network in etcd, run flanneld, render the CNI config and
// tell the principal (DESIGN §9). The workload's pieces are in workload.ts.
import { createHash } from 'node:crypto';
import { type HookContext, defineCharm } from 'rune/charm';
import { type EtcdConnection, kubernetesCni } from 'rune/interfaces';
import { type BinarySpec, binariesBlocked, ensureBinaries } from '../lib/binaries.js';
import { parseIpv4Cidr } from '../lib/cidr.js';
import { CommandFailedError } from '../lib/errors.js';
import { configBlockedMessage } from '../lib/option-checks.js';
import { echoRotation, etcdConnection } from '../lib/relations.js';
import { runService, runningServices, stopInstalled } from '../lib/services.js';
import {
  CERT_FILES,
  CNI_CONF_FILE,
  CNI_CONF_PATH,
  READ_SUBNET_ENV,
  SERVICE,
  cniConflist,
  etcdPutCommand,
  flanneldCommand,
  leasedSubnet,
  networkConfig,
} from './workload.js';
import { FLANNEL_CONFIG_DEFAULTS, validateFlannelConfig } from './validate.js';

export type FlannelConfig = {
  cidr: string;
  iface: string;
  port: number;
  vni: number;
  'install-source': string;
  'archive-url': string;
};
type Ctx = HookContext<FlannelConfig>;

const FLANNELD: BinarySpec = { name: 'flanneld', archiveMember: 'flanneld' };

async function writeCerts(ctx: Ctx, conn: EtcdConnection): Promise<void> {
  await ctx.machine.writeFile(CERT_FILES.ca, conn.clientCa, { mode: 0o644 });
  await ctx.machine.writeFile(CERT_FILES.cert, conn.clientCert, { mode: 0o644 });
  await ctx.machine.writeFile(CERT_FILES.key, conn.clientKey, { mode: 0o600 });
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

/** Puts the network config when it (or the etcd it goes to) changed since the last put. */
async function putNetwork(ctx: Ctx, conn: EtcdConnection, value: string): Promise<void> {
  const key = fingerprint(conn.connectionString, value);
  if (ctx.state.get('network-put') === key) return;
  const r = await ctx.machine.run(etcdPutCommand(conn, value));
  if (r.code !== 0) {
    throw new CommandFailedError(
      'etcdctl put /coreos.com/network/config',
      r.code,
      r.stderr.toString(),
    );
  }
  ctx.state.set('network-put', key);
}

async function reconcile(ctx: Ctx): Promise<void> {
  // Every option checked before any is used: a bad one blocks here and changes nothing.
  const invalid = configBlockedMessage(validateFlannelConfig(ctx.config));
  const cidr = parseIpv4Cidr(ctx.config.cidr ?? FLANNEL_CONFIG_DEFAULTS.cidr);
  if (invalid !== undefined || cidr === undefined) {
    return ctx.status.set('blocked', invalid ?? 'Invalid config: cidr');
  }
  const archiveUrl = (ctx.config['archive-url'] ?? '').trim();
  const binaries = await ensureBinaries(
    ctx,
    [FLANNELD],
    {
      app: ctx.app,
      setting: ctx.config['install-source'] ?? 'auto',
      channel: '',
      archiveOption: 'archive-url',
      archiveUrl: () => (archiveUrl === '' ? undefined : archiveUrl),
    },
    { reinstall: 'due', refreshResources: ctx.hookName === 'upgrade-charm' },
  );
  const blocked = binariesBlocked(ctx.app, binaries);
  const conn = etcdConnection(ctx);
  let running = false;
  if (conn) {
    await ctx.machine.installPackages(['etcd-client']);
    await writeCerts(ctx, conn);
    const value = networkConfig({
      cidr: cidr.text,
      vni: ctx.config.vni ?? 0,
      port: ctx.config.port ?? 0,
    });
    await putNetwork(ctx, conn, value);
    const flanneld = binaries.paths['flanneld'];
    if (flanneld !== undefined) {
      const iface = (ctx.config.iface ?? '').trim() || ctx.address;
      const service = {
        name: SERVICE,
        command: flanneldCommand(flanneld, conn, iface),
        // New credentials keep the same argv: flanneld must still restart to read them.
        inputs: [conn.clientCa, conn.clientCert, conn.clientKey],
      };
      const state = await runService(ctx, service, binaries.changed.includes('flanneld'));
      running = state === 'running';
    }
    // etcd's CA rotation step (its db relation carries easyrsa's): applied once flanneld was
    // restarted with the files just written, or, with no flanneld running (none installed, as
    // on hosts that cannot fetch it), once the files are written, all a flanneld started later
    // would read. Each unit restarts on its own: a flanneld restart leaves the VXLAN device and
    // routes in place, so traffic flows on, and a subordinate has no peers to pass turns on.
    if (flanneld !== undefined || (await runningServices(ctx, [SERVICE])).length === 0) {
      echoRotation(ctx, 'etcd', conn.caRotation);
    }
  }
  let subnet: string | undefined;
  if (running) {
    // Only a running flanneld makes the CNI config true: written earlier, kubelet would
    // schedule pods onto a network that does not exist yet.
    await ctx.machine.writeFile(CNI_CONF_PATH, cniConflist(), { mode: 0o644 });
    for (const rel of ctx.relations('cni')) {
      const writes = kubernetesCni.requirer.publish(rel.local.toObject(), {
        cidr: cidr.text,
        cniConfFile: CNI_CONF_FILE,
      });
      for (const [key, value] of Object.entries(writes)) rel.local.set(key, value);
    }
    subnet = leasedSubnet((await ctx.machine.run(READ_SUBNET_ENV)).stdout.toString());
  }
  // The SDK keeps the most severe status added (the first among equals).
  if (blocked !== undefined) ctx.status.add('blocked', blocked);
  if (!conn) ctx.status.add('waiting', 'Waiting for etcd relation');
  if (!running) ctx.status.add('waiting', 'Waiting for flanneld to start');
  if (subnet === undefined) ctx.status.add('waiting', 'Waiting for flanneld to lease a subnet');
  else ctx.status.add('active', `Flannel subnet ${subnet}`);
}

export const charm = defineCharm<FlannelConfig>({
  reconcile,
  on: {
    stop: async (ctx) => {
      await stopInstalled(ctx, [SERVICE]);
      ctx.status.set('maintenance', 'flanneld stopped');
    },
    remove: async (ctx) => {
      await ctx.machine.services.remove(SERVICE);
      await ctx.machine.run(`rm -f ${CNI_CONF_PATH}`);
    },
  },
});
