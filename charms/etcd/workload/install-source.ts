// Where etcd comes from on a unit (config `install-source`, DESIGN §9), decided from facts the
// charm gathered about the machine. Pure: probing apt, snapd or the network is the caller's job.

export const INSTALL_SOURCES = ['auto', 'package', 'snap', 'archive', 'resource'] as const;
export type InstallSourceSetting = (typeof INSTALL_SOURCES)[number];
export type InstallSource = Exclude<InstallSourceSetting, 'auto'>;

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

/** auto's order, as config.yaml states it. */
const AUTO_ORDER: readonly InstallSource[] = ['package', 'snap', 'archive', 'resource'];

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

export function isInstallSourceSetting(value: unknown): value is InstallSourceSetting {
  return (INSTALL_SOURCES as readonly unknown[]).includes(value);
}

/**
 * The source to install from, or why there is none. `app` is the application's name, which the
 * attach-resource hint needs (an etcd charm may be deployed as `etcd2`).
 */
export function chooseInstallSource(
  setting: string,
  facts: InstallFacts,
  app: string,
): InstallDecision {
  if (!isInstallSourceSetting(setting)) {
    return {
      kind: 'blocked',
      message: `install-source must be one of ${INSTALL_SOURCES.join(', ')}, got ${JSON.stringify(setting)}`,
    };
  }
  if (setting !== 'auto') {
    if (available(setting, facts)) return { kind: 'install', source: setting };
    const hint =
      setting === 'resource'
        ? attachResourceHint(app)
        : 'rune config ' + app + ' install-source=auto';
    return {
      kind: 'blocked',
      message: `install-source=${setting} but ${WHY_NOT[setting]}: ${hint}`,
    };
  }
  const source = AUTO_ORDER.find((s) => available(s, facts));
  if (source !== undefined) return { kind: 'install', source };
  return { kind: 'blocked', message: `Missing etcd resource: ${attachResourceHint(app)}` };
}

/** The snap channel for config `channel`: `auto` → the channel this charm was tested with. */
export function snapChannel(setting: string): string {
  const trimmed = setting.trim();
  return trimmed === '' || trimmed === 'auto' ? DEFAULT_SNAP_CHANNEL : trimmed;
}
