// Getting etcd onto the unit's machine (config `install-source`, DESIGN §9): decide the source
// from the probe's facts once, install from it, and prove the binary runs (`etcd --version`).
import { type Ctx, fullConfig } from './env.js';
import { STATE } from './keys.js';
import { must, text } from './machine.js';
import { excerpt } from '../lib/excerpt.js';
import { EtcdCommandError } from './workload/errors.js';
import {
  type InstallFacts,
  type InstallSource,
  chooseInstallSource,
  snapChannel,
} from './workload/install-source.js';
import {
  STOP_DISTRO_ETCD,
  archiveFetchCommand,
  archivePath,
  archiveProbeCommand,
  extractCommand,
  parseVersion,
  snapInstallCommand,
  versionCommand,
} from './workload/install-steps.js';
import { type Layout, RELEASE_BIN_DIR, layoutFor } from './workload/paths.js';
import type { MachineProbe } from './workload/probe.js';

/** What was installed, under which setting; a new setting decides again. */
type StoredInstall = {
  setting: string;
  source: InstallSource;
  arch?: string;
  /** The machine's hostname when installed: the SAN a certificate request names. */
  hostname?: string;
  resource?: string;
  /** The binary that last answered `--version`, with its stamp then (probe.ts). */
  verified?: { bin: string; stamp: string; version: string };
};

export type InstallResult =
  { kind: 'installed'; layout: Layout; version: string } | { kind: 'blocked'; message: string };

const MINUTES_10 = 600_000;

function storedInstall(ctx: Ctx): StoredInstall | undefined {
  return ctx.state.get<StoredInstall>(STATE.installed);
}

/** The layout etcd was installed with, for hooks that must not install (stop, actions). */
export function installedLayout(ctx: Ctx): Layout | undefined {
  const stored = storedInstall(ctx);
  return stored === undefined ? undefined : layoutFor(stored.source);
}

/** The install this unit made under the current install-source, with the hostname it saw and
 * the version its binary last answered (when it was verified). */
export function settledInstall(
  ctx: Ctx,
): { layout: Layout; hostname: string; version?: string } | undefined {
  const stored = storedInstall(ctx);
  if (stored?.hostname === undefined) return undefined;
  if (stored.setting !== fullConfig(ctx)['install-source']) return undefined;
  const layout = layoutFor(stored.source);
  const verified = stored.verified?.bin === layout.etcd ? stored.verified.version : undefined;
  return { layout, hostname: stored.hostname, ...(verified ? { version: verified } : {}) };
}

/** The source for `setting` from the probe's facts, or why there is none. */
async function decide(
  ctx: Ctx,
  setting: string,
  probe: MachineProbe,
  facts: Omit<InstallFacts, 'archiveReachable'>,
): Promise<InstallSource | { kind: 'blocked'; message: string }> {
  let archiveReachable = false;
  // Only asked when the answer can matter: on offline hosts it costs a timeout.
  if (setting === 'archive' || (setting === 'auto' && !facts.aptHasEtcd && !facts.snapd)) {
    const reach = await ctx.machine.run(archiveProbeCommand(probe.arch), { timeoutMs: 30_000 });
    archiveReachable = reach.code === 0;
  }
  const decision = chooseInstallSource(setting, { ...facts, archiveReachable }, ctx.app);
  return decision.kind === 'blocked' ? decision : decision.source;
}

/** apt's failure in one line, or undefined once both packages are installed. */
async function installPackages(ctx: Ctx): Promise<string | undefined> {
  try {
    await ctx.machine.installPackages(['etcd-server', 'etcd-client']);
    return undefined;
  } catch (error) {
    return excerpt(error instanceof Error ? error.message : String(error), { limit: 160 });
  }
}

export async function ensureInstalled(ctx: Ctx, probe: MachineProbe): Promise<InstallResult> {
  const config = fullConfig(ctx);
  const setting = config['install-source'];
  const stored = storedInstall(ctx);
  const resource = await ctx.resource('etcd');
  const facts = {
    aptHasEtcd: probe.package !== 'none',
    snapd: probe.snapd,
    resourceAttached: resource !== undefined,
  };
  let decided =
    stored !== undefined && stored.setting === setting
      ? stored.source
      : await decide(ctx, setting, probe, facts);
  if (typeof decided !== 'string') return decided;
  if (decided === 'package' && probe.package !== 'installed') {
    // apt's lists can name a package its mirror cannot deliver (offline hosts): then auto
    // moves on to the next source instead of failing every hook.
    const failed = await installPackages(ctx);
    if (failed !== undefined) {
      ctx.log.warn(`apt could not install etcd-server and etcd-client: ${failed}`);
      if (setting !== 'auto') {
        return { kind: 'blocked', message: `install-source=${setting} but apt failed: ${failed}` };
      }
      decided = await decide(ctx, setting, probe, { ...facts, aptHasEtcd: false });
      if (typeof decided !== 'string') return decided;
    }
  }
  const source: InstallSource = decided;

  const fresh = stored?.source !== source;
  // Whether this hook put a binary in place, so the probe's stamp predates it.
  let replaced = false;
  switch (source) {
    case 'package':
      replaced = probe.package !== 'installed';
      // A first install may just have started the package's own etcd; later, the probe says.
      if (probe.package !== 'installed' || probe.distroEtcd) {
        await must(ctx, "stopping the etcd-server package's own etcd", STOP_DISTRO_ETCD);
      }
      break;
    case 'snap':
      if (fresh) {
        replaced = true;
        const command = snapInstallCommand(snapChannel(config.channel), config.snapd_refresh);
        await must(ctx, 'installing the etcd snap', command, MINUTES_10);
      }
      break;
    case 'archive':
      if (fresh) {
        replaced = true;
        await must(
          ctx,
          'downloading the etcd release',
          archiveFetchCommand(probe.arch),
          MINUTES_10,
        );
        const unpack = extractCommand(archivePath(probe.arch), RELEASE_BIN_DIR);
        await must(ctx, 'unpacking the etcd release', unpack);
      }
      break;
    case 'resource':
      // A newly attached resource replaces the binaries; the same one is unpacked once.
      if (resource !== undefined && (fresh || stored?.resource !== resource)) {
        replaced = true;
        const unpack = extractCommand(resource, RELEASE_BIN_DIR);
        await must(ctx, 'unpacking the etcd resource', unpack);
      }
      break;
  }

  const layout = layoutFor(source);
  // Never pretend a missing binary ran (DESIGN §9): the version comes from the binary itself,
  // asked again whenever the binary is not the very file that answered last time.
  const stamp = probe.etcdStamps.get(layout.etcd);
  const known = stored?.verified;
  let version =
    !replaced && stamp !== undefined && known?.bin === layout.etcd && known.stamp === stamp
      ? known.version
      : undefined;
  if (version === undefined) {
    const result = await ctx.machine.run(versionCommand(layout.etcd));
    version = parseVersion(text(result.stdout));
    if (result.code !== 0 || version === undefined) {
      const output = text(result.stderr) || text(result.stdout);
      throw new EtcdCommandError(`${layout.etcd} --version`, result.code, output);
    }
  }
  const record: StoredInstall = { setting, source, arch: probe.arch, hostname: probe.hostname };
  // The stamp is the probe's, from before this hook: a binary put in place since is asked again.
  if (!replaced && stamp !== undefined) record.verified = { bin: layout.etcd, stamp, version };
  if (source === 'resource') {
    const kept = resource ?? stored?.resource;
    if (kept !== undefined) record.resource = kept;
  }
  ctx.state.set(STATE.installed, record);
  return { kind: 'installed', layout, version };
}
