// Where etcd comes from on a unit (config `install-source`, DESIGN §9), decided from facts the
// charm gathered about the machine. The sources and auto's order are every charm's (charms/lib);
// what each source means for etcd is here. Pure: probing apt, snapd or the network is the
// caller's job.
import { type SourceKind, parseInstallSource } from '../../lib/install-source.js';

export type InstallSource = SourceKind;

/** The etcd release this charm was tested with: Debian bookworm's etcd-server. */
export const ETCD_VERSION = '3.4.23';
/** What config `channel: auto` means for the snap. */
export const DEFAULT_SNAP_CHANNEL = '3.4/stable';

export interface InstallFacts {
  /** apt knows etcd-server and etcd-client (installed, or installable from a configured mirror). */
  aptHasEtcd: boolean;
  /** snapd is installed and running. */
  snapd: boolean;
  /** The official release archive can be downloaded from this machine. */
  archiveReachable: boolean;
  /** An `etcd` resource (a release tarball) is attached to the application. */
  resourceAttached: boolean;
}

export type InstallDecision =
  { kind: 'install'; source: InstallSource } | { kind: 'blocked'; message: string };

function available(source: InstallSource, facts: InstallFacts): boolean {
  switch (source) {
    case 'package':
      return facts.aptHasEtcd;
    case 'snap':
      return facts.snapd;
    case 'archive':
      return facts.archiveReachable;
    case 'resource':
      return facts.resourceAttached;
  }
}

/** The user's next step, as the one line a blocked status has room for. */
export function attachResourceHint(app: string): string {
  return `rune attach-resource ${app} etcd=./etcd-v${ETCD_VERSION}-linux-amd64.tar.gz`;
}

const WHY_NOT: Record<InstallSource, string> = {
  package: 'apt has no etcd-server package here',
  snap: 'snapd is not installed',
  archive: 'the etcd release archive cannot be downloaded from this machine',
  resource: 'no etcd resource is attached',
};

/**
 * The source to install from, or why there is none. `app` is the application's name, which the
 * attach-resource hint needs (an etcd charm may be deployed as `etcd2`).
 */
export function chooseInstallSource(
  setting: string,
  facts: InstallFacts,
  app: string,
): InstallDecision {
  const parsed = parseInstallSource(setting);
  if ('problem' in parsed) return { kind: 'blocked', message: parsed.problem };
  const source = parsed.sources.find((s) => available(s, facts));
  if (source !== undefined) return { kind: 'install', source };
  // A setting other than auto names its one source.
  const named = setting === 'auto' ? undefined : parsed.sources[0];
  if (named !== undefined) {
    const hint =
      named === 'resource'
        ? attachResourceHint(app)
        : 'rune config ' + app + ' install-source=auto';
    return { kind: 'blocked', message: `install-source=${named} but ${WHY_NOT[named]}: ${hint}` };
  }
  return { kind: 'blocked', message: `Missing etcd resource: ${attachResourceHint(app)}` };
}

/** The snap channel for config `channel`: `auto` → the channel this charm was tested with. */
export function snapChannel(setting: string): string {
  const trimmed = setting.trim();
  return trimmed === '' || trimmed === 'auto' ? DEFAULT_SNAP_CHANNEL : trimmed;
}
