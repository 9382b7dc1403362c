// The etcd charm (DESIGN §9; Charmed Kubernetes 1.21's etcd): one idempotent reconcile that
// validates config, installs etcd, gets certificates, brings this unit's member up through the
// leader, and publishes the cluster on `db`; departure and actions have handlers of their own.
import { defineCharm, shellQuote } from 'rune/charm';
import { etcd } from 'rune/interfaces';
import { actions } from './actions.js';
import { dbClientsBehind } from './db-rotation.js';
import { leaveCluster } from './departure.js';
import { declareChecks, forgetChecks } from './health.js';
import { put } from './bags.js';
import { type Config, type Ctx, type Env, fullConfig, makeEnv } from './env.js';
import { MEMBER_READY, MEMBER_STARTED, STATE } from './keys.js';
import { must, text } from './machine.js';
import { SERVICE } from './service.js';
export { clusterStatus } from './last-look.js';
import { type InstallResult, ensureInstalled, installedLayout, settledInstall } from './install.js';
import { type Look, forgetLook, recordLook, reusableLook } from './last-look.js';
import { converge, lead, markPeer, observeOwn, publishPeer } from './membership.js';
import { endRestartTurn, takeRestartTurn } from './restart-turns.js';
import { type Certificates, certificates, serverFilesChanged, writeCertificates } from './tls.js';
import { connectionString } from './workload/cluster.js';
import { dataDir, layoutFor, memberName } from './workload/paths.js';
import { parseProbe, probeCommand } from './workload/probe.js';
import { configBlockedMessage, validateConfig } from './workload/validate.js';

/** The layouts an install can have (a resource unpacks as the archive does). */
const INSTALL_LAYOUTS = ['package', 'snap', 'archive'] as const;

/** Charmed Kubernetes' words for the states an operator sees most. */
export const MESSAGES = {
  noCa: 'Missing relation to certificate authority.',
  waitingCerts: 'Waiting for certificates',
  waitingClientCert: 'Waiting for the client certificate from the certificate authority',
} as const;

/** Every place this unit's member data could be, one per install layout. */
function dataDirs(unit: string): string[] {
  const name = memberName(unit);
  const roots = new Set((['package', 'snap'] as const).map((s) => layoutFor(s).dataRoot));
  return [...roots].map((root) => dataDir(name, root));
}

/** The probe command this unit runs first in every reconcile (exported for tests). */
export function unitProbeCommand(unit: string): string {
  const bins = new Set(INSTALL_LAYOUTS.map((source) => layoutFor(source).etcd));
  return probeCommand(dataDirs(unit), [...bins]);
}

/** Where clients connect and how they authenticate, on every `db` relation. */
function publishDb(
  ctx: Ctx,
  look: Look,
  certs: Certificates & { client: { cert: string; key: string } },
  version: string,
): void {
  // With easyrsa's rotation step: clients echo it once they use these (db-rotation.ts).
  const urls = connectionString(look.clientUrls);
  const data = {
    endpoints: urls.split(',').filter((url) => url !== ''),
    clientCa: certs.ca,
    clientCert: certs.client.cert,
    clientKey: certs.client.key,
    version,
    ...(certs.rotation === undefined ? {} : { caRotation: certs.rotation }),
  };
  for (const rel of ctx.relations('db')) {
    // Every member publishes in its unit bag, as 1.21 did; the leader also in the app bag.
    for (const [key, value] of Object.entries(etcd.provider.publish(rel.local.toObject(), data))) {
      put(rel.local, key, value);
    }
    if (!ctx.isLeader) continue;
    for (const [key, value] of Object.entries(etcd.provider.publish(rel.app.toObject(), data))) {
      put(rel.app, key, value);
    }
  }
}

/**
 * The certificates this unit waits for, when it waits, decided without the machine: once etcd is
 * installed nothing there can move until the CA answers, and a unit sees a dozen relation hooks
 * before it does. The request names the hostname recorded at install.
 */
function stillWaitingForCertificates(ctx: Ctx): Promise<void> | undefined {
  const settled = settledInstall(ctx);
  if (settled === undefined) return undefined;
  publishPeer(ctx, makeEnv(ctx, settled.layout));
  const certs = certificates(ctx, settled.hostname);
  if (certs.kind === 'ready') return undefined;
  return Promise.resolve(certificatesStatus(ctx, certs));
}

function certificatesStatus(
  ctx: Ctx,
  certs: { kind: 'missing-relation' } | { kind: 'waiting'; missing: string[] },
): void {
  if (certs.kind === 'missing-relation') return ctx.status.set('blocked', MESSAGES.noCa);
  ctx.log.info(`waiting for the ${certs.missing.join(', ')} from the certificate authority`);
  return ctx.status.set('waiting', MESSAGES.waitingCerts);
}

/** Hooks that look at the machine again whatever this unit recorded: lifecycle hooks, where an
 * operator's change (a new binary, a config, a restart) shows, and update-status every few
 * minutes. */
const LOOKS_AGAIN: ReadonlySet<string> = new Set([
  'install',
  'start',
  'config-changed',
  'upgrade-charm',
  'update-status',
  'leader-elected',
]);

/** Whether this unit's member already has data on the machine: shell builtins only. */
export function memberDataCommand(unit: string): string {
  const tests = dataDirs(unit).map((d) => `[ -d ${shellQuote(`${d}/member`)} ]`);
  return `if ${tests.join(' || ')}; then echo yes; else echo no; fi`;
}

/**
 * What the machine holds: probed (and installed from) on lifecycle hooks and until etcd is
 * installed; on relation hooks after that, what the last look recorded. Each look costs the
 * machine ~16 ms of CPU (dpkg's database among it), and a unit sees a burst of relation hooks as
 * its peers join. A unit that is no member yet still asks whether its member has data: a hook
 * that started it and died before committing leaves only that behind.
 */
/** The shell's exit status for a command it could not find. */
const COMMAND_NOT_FOUND = 127;

async function machineFacts(
  ctx: Ctx,
): Promise<{ installed: InstallResult; hostname: string; memberData: boolean }> {
  const settled = settledInstall(ctx);
  if (settled?.version !== undefined && !LOOKS_AGAIN.has(ctx.hook.kind)) {
    const { layout, version, hostname } = settled;
    const installed: InstallResult = { kind: 'installed', layout, version };
    if (ctx.state.get(STATE.member) !== undefined) return { installed, hostname, memberData: true };
    const data = await ctx.machine.run(memberDataCommand(ctx.unit));
    return { installed, hostname, memberData: text(data.stdout).trim() === 'yes' };
  }
  const probed = await ctx.machine.run(unitProbeCommand(ctx.unit));
  // No shell to probe with (a machine of the sim cloud answers only a few commands): etcd can
  // never run there, which is a blocked unit, not a hook error retried for ever.
  if (probed.code === COMMAND_NOT_FOUND) {
    const said = text(probed.stderr).trim().split('\n')[0] ?? '';
    const message = `this machine cannot run etcd: its shell is missing (${said})`;
    return {
      installed: { kind: 'blocked', message },
      hostname: ctx.machine.hostname,
      memberData: false,
    };
  }
  const probe = parseProbe(probed.code, text(probed.stdout), text(probed.stderr));
  const installed = await ensureInstalled(ctx, probe);
  // A follower sets the service manager up while it waits for its certificate and its turn: the
  // start that joins the cluster is on the path of every later join. The leader's bootstrap
  // does it in the same round trip as its first start, which is sooner than here.
  if (installed.kind === 'installed' && !probe.memberData && !ctx.isLeader) {
    await ctx.machine.services.prepare();
  }
  return { installed, hostname: probe.hostname, memberData: probe.memberData };
}

/**
 * A unit's first hook asks the CA for its server certificate before anything else and ends: the
 * CA then signs while this unit installs etcd in its next hook, instead of after. Only while
 * nothing is installed and no request is out; the request names the hostname Rune recorded for
 * the machine, which is the one the probe reads.
 */
function requestFirst(ctx: Ctx): Promise<void> | undefined {
  if (installedLayout(ctx) !== undefined) return undefined;
  const rel = ctx.relations('certificates')[0];
  if (rel === undefined || rel.local.get('common_name') !== undefined) return undefined;
  const certs = certificates(ctx, ctx.machine.hostname);
  if (certs.kind === 'ready') return undefined;
  return Promise.resolve(certificatesStatus(ctx, certs));
}

async function reconcile(ctx: Ctx): Promise<void> {
  const blocked = configBlockedMessage(validateConfig(fullConfig(ctx)));
  if (blocked !== undefined) return ctx.status.set('blocked', blocked);
  const waiting = requestFirst(ctx) ?? stillWaitingForCertificates(ctx);
  if (waiting !== undefined) return waiting;

  const machine = await machineFacts(ctx);
  const installed = machine.installed;
  if (installed.kind === 'blocked') return ctx.status.set('blocked', installed.message);
  const env: Env = makeEnv(ctx, installed.layout);
  // Before the certificates: the leader then counts this unit when it picks who joins next,
  // even in the hook where it bootstraps.
  publishPeer(ctx, env);

  const certs = certificates(ctx, machine.hostname);
  if (certs.kind !== 'ready') return certificatesStatus(ctx, certs);
  const running = ctx.state.get(STATE.member) !== undefined;
  const request = serverFilesChanged(ctx, env.tls, certs.certs);
  const { hold } = takeRestartTurn(ctx, running, request);
  const tlsChanged = await writeCertificates(ctx, env.tls, certs.certs, {
    verify: LOOKS_AGAIN.has(ctx.hook.kind),
    holdServer: hold,
  });
  if (running && tlsChanged) ctx.log.info(`restarting ${env.name} for new certificates`);
  markPeer(ctx, MEMBER_READY);

  const membership = await converge(ctx, env, { memberData: machine.memberData, tlsChanged });
  if (membership.kind !== 'member') return ctx.status.set(membership.kind, membership.message);
  declareChecks(ctx, env);

  const rotation = certs.certs.rotation;
  const fresh = membership.fresh === true;
  const look =
    reusableLook(ctx, { fresh, serverFilesChanged: request !== undefined, rotation }) ??
    (await lookAtCluster(ctx, env, fresh));
  if (look === undefined) {
    return ctx.status.set('waiting', `Waiting for etcd to answer on ${env.clientUrl}`);
  }
  // Clients hear of the cluster only from members that serve (with quorum), and with the
  // client certificate to reach it.
  const { serving } = look;
  if (serving) markPeer(ctx, MEMBER_STARTED);
  endRestartTurn(ctx, serving, hold, rotation, dbClientsBehind(ctx, rotation));
  const { client } = certs.certs;
  if (serving && client !== undefined)
    publishDb(ctx, look, { ...certs.certs, client }, installed.version);
  // An unhealthy cluster is what an operator needs to hear first; then the client certificate.
  ctx.status.add(look.status.kind, look.status.message);
  if (client === undefined) ctx.status.add('waiting', MESSAGES.waitingClientCert);
}

/** The cluster as this unit's member sees it (the leader doing its duties on the way), recorded
 * for hooks that may reuse it (last-look.ts); undefined when etcd does not answer. */
async function lookAtCluster(ctx: Ctx, env: Env, fresh: boolean): Promise<Look | undefined> {
  let view = await observeOwn(ctx, env, fresh);
  if (view !== undefined && ctx.isLeader) view = await lead(ctx, env, view);
  if (view === undefined) {
    forgetLook(ctx);
    return undefined;
  }
  return recordLook(ctx, env, view);
}

export const charm = defineCharm<Config>({
  reconcile,
  on: {
    // A peer relation breaks only for a unit on its way out: leave while the others still run.
    'cluster-relation-broken': async (ctx) => {
      await leaveCluster(ctx);
      forgetChecks(ctx);
      ctx.status.set('maintenance', 'Left the cluster');
    },
    stop: async (ctx) => {
      await leaveCluster(ctx);
      forgetChecks(ctx);
      ctx.status.set('maintenance', 'Stopped');
    },
    // The last hook: the member is gone from the cluster, so its data and keys go too.
    remove: async (ctx) => {
      await ctx.machine.services.remove(SERVICE);
      const layout = installedLayout(ctx);
      if (layout !== undefined) {
        const env = makeEnv(ctx, layout);
        const paths = [env.dataDir, env.tls.serverKey, env.tls.clientKey].map(shellQuote);
        await must(ctx, `removing ${env.dataDir}`, `rm -rf ${paths.join(' ')}`);
      }
    },
  },
  actions,
});
