// kubernetes-master: the wiring (DESIGN §9). One reconcile reads config, relations and leader
// settings, installs the binaries, publishes to workers and the CNI, and runs the control plane
// once certificates, etcd, the leader's secrets and the CNI's network are all there.
import { type HookContext, defineCharm } from 'rune/charm';
import {
  type BinaryReport,
  type BinarySpec,
  type Reinstall,
  binariesBlocked,
  ensureReleaseBinaries,
} from '../lib/binaries.js';
import { type Ipv4Cidr, parseIpv4Cidr } from '../lib/cidr.js';
import { type Flags, readExtraArgs } from '../lib/flags.js';
import { hostnameOf } from '../lib/host.js';
import { renderKubeconfig } from '../lib/kubeconfig.js';
import {
  cniConfig,
  echoRotation,
  etcdConnection,
  issuedCertificates,
  publishCniPrincipal,
  requestServerCert,
} from '../lib/relations.js';
import { restartTurns } from '../lib/restart-turns.js';
import { restartInstalled, runningServices, stopInstalled } from '../lib/services.js';
import { upgradeAction } from '../lib/upgrade.js';
import { restartRequest, runControlPlane, tlsFiles, writeTlsFiles } from './control-plane.js';
import { publishToWorkers, workerRequests } from './kube-control.js';
import { ensureSecrets, readSecrets } from './secrets.js';
import { authorizationModes, validateMasterConfig } from './validate.js';
import { configBlockedMessage } from '../lib/option-checks.js';
import {
  API_PORT,
  type MasterService,
  PATHS,
  SERVICES,
  allowPrivileged,
  apiServerSans,
  serviceIps,
} from './workload.js';

export type MasterConfig = {
  channel: string;
  'install-source': string;
  'release-url': string;
  'require-manual-upgrade': boolean;
  'service-cidr': string;
  dns_domain: string;
  'authorization-mode': string;
  extra_sans: string;
  'api-extra-args': string;
  'controller-manager-extra-args': string;
  'scheduler-extra-args': string;
  'allow-privileged': string;
  'loadbalancer-ips': string;
  'default-cni': string;
};
type Ctx = HookContext<MasterConfig>;

export const RUNNING = 'Kubernetes master running.';

const snap = (name: string, classic = false) => ({ name, classic });
export const BINARIES: readonly BinarySpec[] = [
  { name: 'kube-apiserver', snap: snap('kube-apiserver') },
  { name: 'kube-controller-manager', snap: snap('kube-controller-manager') },
  { name: 'kube-scheduler', snap: snap('kube-scheduler') },
  { name: 'kube-proxy', snap: snap('kube-proxy', true) },
  {
    name: 'kubectl',
    snap: snap('kubectl', true),
    deb: { name: 'kubernetes-client', path: '/usr/bin/kubectl' },
  },
];

/** API servers restart for new files one at a time, on turns from the leader (issue 15 item 5):
 * a CA rotation restarts each of them three times, and two at once would leave clients none. */
const turns = restartTurns('kube-masters');

function install(ctx: Ctx, reinstall: Reinstall): Promise<BinaryReport> {
  return ensureReleaseBinaries(ctx, BINARIES, reinstall);
}

interface Settings {
  serviceCidr: Ipv4Cidr;
  extra: Partial<Record<MasterService, Flags>>;
}

/** Config the operator must fix (every option checked first), or the parsed settings. */
function readSettings(ctx: Ctx): Settings | string {
  const invalid = configBlockedMessage(validateMasterConfig(ctx.config));
  if (invalid !== undefined) return invalid;
  const cidrText = ctx.config['service-cidr'] ?? '10.152.183.0/24';
  const serviceCidr = parseIpv4Cidr(cidrText);
  if (!serviceCidr) {
    return `Invalid service-cidr ${JSON.stringify(cidrText)}: expected a CIDR like 10.152.183.0/24`;
  }
  const extra = readExtraArgs<MasterService>(ctx.config, [
    ['api-extra-args', 'kube-apiserver'],
    ['controller-manager-extra-args', 'kube-controller-manager'],
    ['scheduler-extra-args', 'kube-scheduler'],
  ]);
  if (typeof extra === 'string') return extra;
  return { serviceCidr, extra };
}

async function reconcile(ctx: Ctx): Promise<void> {
  const settings = readSettings(ctx);
  if (typeof settings === 'string') return ctx.status.set('blocked', settings);
  const hostname = await hostnameOf(ctx);
  // Read once: with 1,000 workers, each walk reads 1,000 bags.
  const requests = workerRequests(ctx);
  if (ctx.isLeader) {
    for (const made of ensureSecrets(ctx.leaderSettings, requests)) {
      ctx.log.info(`created ${made}`);
    }
  }
  const secrets = readSecrets(ctx.leaderSettings);
  // The cluster's services keep their IPs: the first range that ran stays (DESIGN §9).
  const locked = ctx.state.get('service-cidr');
  const lockedCidr = typeof locked === 'string' ? parseIpv4Cidr(locked) : undefined;
  const serviceCidr = lockedCidr ?? settings.serviceCidr;
  const cidrRefused = lockedCidr !== undefined && lockedCidr.text !== settings.serviceCidr.text;
  const dnsDomain = ctx.config.dns_domain ?? 'cluster.local';

  const ips = serviceIps(serviceCidr);
  const pub = { address: ctx.address, port: API_PORT, dnsDomain, dnsIp: ips.dns };
  publishToWorkers(ctx, secrets ? { ...pub, secrets } : pub, requests);
  publishCniPrincipal(ctx, true, PATHS.adminKubeconfig);
  const extraSans = `${ctx.config.extra_sans ?? ''} ${ctx.config['loadbalancer-ips'] ?? ''}`;
  const sans = apiServerSans({
    serviceCidr,
    dnsDomain,
    hostname,
    address: ctx.address,
    extra: extraSans,
  });
  requestServerCert(ctx, ctx.address, sans);

  const manual = ctx.config['require-manual-upgrade'] ?? true;
  const binaries = await install(ctx, manual ? 'none' : 'due');
  const binariesMessage = binariesBlocked(ctx.app, binaries);
  const certs = issuedCertificates(ctx);
  const etcd = etcdConnection(ctx);
  const cni = cniConfig(ctx, (ctx.config['default-cni'] ?? '').trim());

  let states: Partial<Record<MasterService, string>> = {};
  // Whether the machine now runs with (or, nothing running, holds) the files certs and etcd
  // sent: only then does this unit echo their CA rotation step (below).
  let applied = false;
  let hold = false;
  if (binariesMessage === undefined && certs && etcd && secrets && cni) {
    const facts = {
      address: ctx.address,
      hostname,
      serviceCidr: serviceCidr.text,
      clusterCidr: cni.cidr,
      etcdServers: etcd.connectionString,
      authorizationMode: authorizationModes(ctx.config['authorization-mode'] ?? 'Node,RBAC').join(
        ',',
      ),
      allowPrivileged: allowPrivileged(ctx.config['allow-privileged'] ?? 'auto'),
      kubeletClientCert: certs.client !== undefined,
    };
    const cp = {
      facts,
      certs,
      etcd,
      secrets,
      extra: settings.extra,
      binaries: binaries.paths,
      changed: binaries.changed,
    };
    // Running daemons that would restart wait for this unit's turn, their files held back.
    hold = turns.take(ctx, restartRequest(ctx, cp)).hold;
    if (!hold) {
      states = await runControlPlane(ctx, cp);
      applied = true;
      turns.done(ctx);
    }
    if (lockedCidr === undefined && states['kube-apiserver'] === 'running') {
      ctx.state.set('service-cidr', serviceCidr.text);
    }
  } else {
    turns.done(ctx);
    // No control plane here (a binary missing, as on hosts that cannot fetch them): the
    // certificate files are still written, and echoed, since they are all a daemon started
    // later would read. Not while a daemon this unit started still runs: it runs with the
    // files it read at its start, and only a restart in a full reconcile changes that.
    if ((certs || etcd) && (await runningServices(ctx, SERVICES)).length === 0) {
      await writeTlsFiles(ctx, tlsFiles(certs, etcd));
      applied = true;
    }
  }
  if (applied) {
    if (certs) echoRotation(ctx, 'certificates', certs.rotation);
    if (etcd) echoRotation(ctx, 'etcd', etcd.caRotation);
  }
  const stopped = hold ? [] : SERVICES.filter((name) => states[name] !== 'running');

  // Every unmet need adds its status; the SDK keeps the most severe (the first among equals).
  const status = ctx.status;
  if (binariesMessage !== undefined) status.add('blocked', binariesMessage);
  if (cidrRefused) {
    status.add(
      'blocked',
      `Service CIDR change is not supported: still serving ${serviceCidr.text}; ` +
        `revert with: rune config ${ctx.app} service-cidr=${serviceCidr.text}`,
    );
  }
  if (ctx.relations('certificates').length === 0) {
    status.add('blocked', 'Missing relation to certificate authority.');
  }
  if (!etcd) status.add('blocked', 'Waiting for etcd');
  if (binaries.upgradeDue.length > 0) {
    status.add('blocked', 'Needs manual upgrade, run the upgrade action');
  }
  if (!secrets) status.add('waiting', "Waiting for the leader's keys and tokens");
  if (!certs) status.add('waiting', 'Waiting for certificates');
  if (!cni) status.add('waiting', 'Waiting for CNI plugins to become available');
  if (hold) {
    const holder = turns.holder(ctx);
    const now = holder === undefined ? '' : ` (${holder} is restarting)`;
    status.add('waiting', `Waiting for its turn to restart with new files${now}`);
  }
  if (stopped.length > 0) status.add('waiting', `Waiting for ${stopped.join(', ')}`);
  status.add('active', RUNNING);
}

export const charm = defineCharm<MasterConfig>({
  reconcile,
  on: {
    stop: async (ctx) => {
      await stopInstalled(ctx, SERVICES);
      ctx.status.set('maintenance', 'Kubernetes master stopped');
    },
    remove: async (ctx) => {
      for (const name of SERVICES) await ctx.machine.services.remove(name);
    },
  },
  actions: {
    'get-kubeconfig': (ctx) => {
      const certs = issuedCertificates(ctx);
      const secrets = readSecrets(ctx.leaderSettings);
      if (!certs || !secrets) {
        ctx.action?.fail('No kubeconfig yet: the unit has no CA certificate or admin token');
        return;
      }
      const server = `https://${ctx.address}:${API_PORT}`;
      const text = renderKubeconfig({
        server,
        user: 'admin',
        token: secrets.adminToken,
        caPem: certs.ca,
      });
      ctx.action?.setResult('kubeconfig', text);
    },
    restart: async (ctx) => {
      const done = await restartInstalled(ctx, SERVICES);
      ctx.action?.setResult('restarted', done.join(' '));
    },
    upgrade: upgradeAction(
      (ctx) => install(ctx, 'all'),
      SERVICES,
      reconcile,
      (ctx) => configBlockedMessage(validateMasterConfig(ctx.config)),
    ),
  },
});
