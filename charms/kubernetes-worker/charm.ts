// kubernetes-worker: the wiring (DESIGN §9). One reconcile asks the master for node credentials,
// the authority for a serving certificate, installs kubelet, kube-proxy and containerd, runs
// containerd at once and kubelet and kube-proxy once credentials, the API endpoint, certificates
// and the CNI's network are all there.
import { type HookContext, commandLine, defineCharm } from 'rune/charm';
import { http, kubeControl } from 'rune/interfaces';
import {
  type BinaryReport,
  type BinarySpec,
  type Reinstall,
  binariesBlocked,
  ensureBinaries,
  ensureReleaseBinaries,
  missingMessage,
  readInstalled,
} from '../lib/binaries.js';
import { readExtraArgs } from '../lib/flags.js';
import { configBlockedMessage } from '../lib/option-checks.js';
import { hostnameOf } from '../lib/host.js';
import {
  cniConfig,
  echoRotation,
  issuedCertificates,
  publishCniPrincipal,
  requestServerCert,
} from '../lib/relations.js';
import { runningServices, stopInstalled } from '../lib/services.js';
import { upgradeAction } from '../lib/upgrade.js';
import { type NodeSettings, type Runtime, runContainerd, runNode, writeTlsFiles } from './node.js';
import {
  CONTAINERD_BINARY,
  CONTAINERD_TAKEOVER,
  PATHS,
  SERVICES,
  containerdProblem,
  drainArgs,
  parseExtraConfig,
} from './workload.js';
import { validateWorkerConfig } from './validate.js';

export type WorkerConfig = {
  channel: string;
  'install-source': string;
  'release-url': string;
  'require-manual-upgrade': boolean;
  labels: string;
  'kubelet-extra-args': string;
  'kubelet-extra-config': string;
  'proxy-extra-args': string;
};
type Ctx = HookContext<WorkerConfig>;

export const RUNNING = 'Kubernetes worker running.';

export const BINARIES: readonly BinarySpec[] = [
  { name: 'kubelet', snap: { name: 'kubelet', classic: true } },
  { name: 'kube-proxy', snap: { name: 'kube-proxy', classic: true } },
  {
    name: 'kubectl',
    snap: { name: 'kubectl', classic: true },
    deb: { name: 'kubernetes-client', path: '/usr/bin/kubectl' },
    optional: true,
  },
];

/** What reads the certificates; containerd does not. */
const NODE_SERVICES = ['kubelet', 'kube-proxy'] as const;

const REQUIRED = BINARIES.filter((spec) => spec.optional !== true);
const KUBECTL = BINARIES.filter((spec) => spec.name === 'kubectl');

/**
 * kubectl serves only the pause and resume actions: it is installed in the quiet of an
 * update-status, or by the action that needs it, never in a deploy's burst of hooks. Where apt
 * lists Debian's kubernetes-client but cannot fetch it (local machines), the attempt costs every
 * worker seconds of CPU in its install hook, when all workers install at once (issue 16).
 */
function install(ctx: Ctx, reinstall: Reinstall): Promise<BinaryReport> {
  const all = ctx.hookName === 'update-status' || reinstall === 'all';
  return ensureReleaseBinaries(ctx, all ? BINARIES : REQUIRED, reinstall);
}

/** containerd and the runc it runs containers with come from Debian's package. */
export const CONTAINERD: BinarySpec = {
  name: 'containerd',
  deb: { name: 'containerd', path: CONTAINERD_BINARY },
};

/**
 * containerd from Debian (DESIGN §9), else an attached `containerd` resource; never from the
 * install-source the Kubernetes binaries follow, since neither their snaps nor their release
 * archive carry it. Then it runs, whatever else the unit still waits for (it needs nothing from
 * relations). A string: what to attach.
 */
async function ensureRuntime(ctx: Ctx): Promise<Runtime | string> {
  const report = await ensureBinaries(
    ctx,
    [CONTAINERD],
    {
      app: ctx.app,
      setting: 'auto',
      channel: '',
      archiveOption: 'release-url',
      archiveUrl: () => undefined,
    },
    { refreshResources: ctx.hookName === 'upgrade-charm' },
  );
  const blocked = binariesBlocked(ctx.app, report);
  const binary = report.paths['containerd'];
  if (blocked !== undefined || binary === undefined) return blocked ?? 'containerd is missing';
  const changed = report.changed.includes('containerd');
  if (changed) await ctx.machine.run(CONTAINERD_TAKEOVER);
  return runContainerd(ctx, binary, changed);
}

/** Config the operator must fix (every option checked first), or the parsed settings. */
function readSettings(ctx: Ctx): NodeSettings | string {
  const invalid = configBlockedMessage(validateWorkerConfig(ctx.config));
  if (invalid !== undefined) return invalid;
  const extra = readExtraArgs<'kubelet' | 'kube-proxy'>(ctx.config, [
    ['kubelet-extra-args', 'kubelet'],
    ['proxy-extra-args', 'kube-proxy'],
  ]);
  if (typeof extra === 'string') return extra;
  const labels = (ctx.config.labels ?? '').split(/\s+/).filter((l) => l !== '');
  const bad = labels.filter((l) => !/^[^=\s]+=[^=\s]*$/.test(l));
  if (bad.length > 0) return `Invalid labels: ${bad.map((l) => JSON.stringify(l)).join(', ')}`;
  const extraConfig = parseExtraConfig(ctx.config['kubelet-extra-config'] ?? '{}');
  if (typeof extraConfig === 'string') return extraConfig;
  return { extra, labels, extraConfig };
}

async function reconcile(ctx: Ctx): Promise<void> {
  const settings = readSettings(ctx);
  if (typeof settings === 'string') return ctx.status.set('blocked', settings);
  const hostname = await hostnameOf(ctx);
  const user = `system:node:${hostname}`;
  for (const rel of ctx.relations('kube-control')) {
    const writes = kubeControl.requirer.requestAuth(rel.local.toObject(), {
      user,
      group: 'system:nodes',
    });
    for (const [key, value] of Object.entries(writes)) rel.local.set(key, value);
  }
  publishCniPrincipal(ctx, false, PATHS.kubeletKubeconfig);
  requestServerCert(ctx, ctx.address, [ctx.address, hostname]);

  const manual = ctx.config['require-manual-upgrade'] ?? true;
  const binaries = await install(ctx, manual ? 'none' : 'due');
  const runtime = await ensureRuntime(ctx);
  const blocked = [
    binariesBlocked(ctx.app, binaries),
    typeof runtime === 'string' ? runtime : undefined,
    typeof runtime !== 'string' && runtime.server === undefined
      ? containerdProblem(runtime.state)
      : undefined,
  ].filter((m) => m !== undefined);

  const masters = ctx
    .relations('kube-control')
    .flatMap((rel) => rel.units.map((u) => rel.remote(u).view()));
  const creds = masters.map((bag) => kubeControl.requirer.creds(bag, user, ctx.unit)).find(Boolean);
  const dns = masters.map((bag) => kubeControl.requirer.dns(bag)).find(Boolean);
  const api = ctx
    .relations('kube-api-endpoint')
    .flatMap((rel) => rel.units.map((u) => http.requirer.service(rel.remote(u).view())))
    .find(Boolean);
  const certs = issuedCertificates(ctx);
  const cni = cniConfig(ctx);

  // A containerd that does not serve is in `blocked` already.
  let states: Partial<Record<string, string>> = { containerd: 'running' };
  // Whether the node runs with (or, nothing running, holds) the certificates sent: only then
  // does it echo their CA rotation step. Workers restart for new files without waiting for a
  // turn, as Charmed Kubernetes' did: a kubelet or kube-proxy restart stops no pod and no
  // traffic (containers and the proxy rules outlive them), so one at a time would spare nothing,
  // and workers have no peer relation to pass turns on.
  let applied = false;
  if (blocked.length === 0 && creds && dns && api && certs && cni) {
    const node = await runNode(ctx, {
      facts: {
        address: ctx.address,
        hostname,
        app: ctx.app,
        clusterCidr: cni.cidr,
        labels: settings.labels,
      },
      settings,
      server: `https://${api.hostname}:${api.port}`,
      creds,
      dns,
      certs,
      binaries: binaries.paths,
      changed: binaries.changed,
    });
    states = { ...states, ...node };
    applied = true;
  } else if (certs && (await runningServices(ctx, NODE_SERVICES)).length === 0) {
    // No node here yet (often: no kubelet to install on these hosts). The certificate files
    // are all a kubelet started later would read of them, so once written they are applied;
    // not while a kubelet this unit started still runs with older ones.
    await writeTlsFiles(ctx, certs);
    applied = true;
  }
  if (applied && certs) echoRotation(ctx, 'certificates', certs.rotation);
  const stopped = SERVICES.filter((name) => states[name] !== 'running');

  // Every unmet need adds its status; the SDK keeps the most severe (the first among equals).
  const status = ctx.status;
  if (blocked.length > 0) status.add('blocked', blocked.join('; '));
  if (ctx.relations('certificates').length === 0) {
    status.add('blocked', 'Missing relation to certificate authority.');
  }
  if (binaries.upgradeDue.length > 0) {
    status.add('blocked', 'Needs manual upgrade, run the upgrade action');
  }
  if (ctx.relations('kube-control').length === 0) {
    status.add('waiting', 'Waiting for kube-control relation');
  }
  if (!creds || !dns) status.add('waiting', 'Waiting for credentials over kube-control');
  if (ctx.relations('kube-api-endpoint').length === 0) {
    status.add('waiting', 'Waiting for kube-api-endpoint relation');
  }
  if (!api) status.add('waiting', 'Waiting for the API endpoint');
  if (!certs) status.add('waiting', 'Waiting for certificates');
  if (!cni) status.add('waiting', 'Waiting for CNI plugins to become available');
  if (stopped.length > 0) status.add('waiting', `Waiting for ${stopped.join(', ')}`);
  status.add('active', RUNNING);
}

/** Runs kubectl with the admin kubeconfig against this node; the action reports its output. */
async function kubectl(ctx: Ctx, args: (node: string) => string[]): Promise<void> {
  const path =
    readInstalled(ctx)['kubectl']?.path ??
    (await ensureReleaseBinaries(ctx, KUBECTL, 'none')).paths['kubectl'];
  if (path === undefined) {
    ctx.action?.fail(`kubectl is not installed. ${missingMessage(ctx.app, ['kubectl'])}`);
    return;
  }
  const argv = [path, `--kubeconfig=${PATHS.adminKubeconfig}`, ...args(await hostnameOf(ctx))];
  const command = commandLine(argv);
  const r = await ctx.machine.run(command);
  ctx.action?.setResult('command', argv.join(' '));
  ctx.action?.setResult('output', r.stdout.toString().trim());
  if (r.code !== 0) {
    ctx.action?.fail(`kubectl exited ${r.code}: ${r.stderr.toString().trim()}`);
  }
}

export const charm = defineCharm<WorkerConfig>({
  reconcile,
  on: {
    stop: async (ctx) => {
      await stopInstalled(ctx, [...SERVICES].reverse());
      ctx.status.set('maintenance', 'Kubernetes worker stopped');
    },
    remove: async (ctx) => {
      for (const name of SERVICES) await ctx.machine.services.remove(name);
    },
  },
  actions: {
    pause: (ctx) =>
      kubectl(ctx, (node) =>
        drainArgs(
          node,
          ctx.action?.params['delete-local-data'] === true,
          ctx.action?.params['force'] === true,
        ),
      ),
    resume: (ctx) => kubectl(ctx, (node) => ['uncordon', node]),
    upgrade: upgradeAction(
      (ctx) => install(ctx, 'all'),
      ['kubelet', 'kube-proxy'],
      reconcile,
      (ctx) => configBlockedMessage(validateWorkerConfig(ctx.config)),
    ),
  },
});
