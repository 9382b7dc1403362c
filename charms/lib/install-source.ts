// Config `install-source` (DESIGN §9), shared by every charm that installs binaries: the sources
// there are, the order `auto` tries them in (as each charm's config.yaml states it), and the one
// message for a setting that names none. Pure.

export const SOURCE_KINDS = ['package', 'snap', 'archive', 'resource'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const INSTALL_SOURCE_SETTINGS = ['auto', ...SOURCE_KINDS] as const;
export type InstallSourceSetting = (typeof INSTALL_SOURCE_SETTINGS)[number];

/** auto's order: the distribution package, a snap, the official release archive, an attached
 * resource. */
export const AUTO_ORDER: readonly SourceKind[] = SOURCE_KINDS;

export function isInstallSourceSetting(value: unknown): value is InstallSourceSetting {
  return (INSTALL_SOURCE_SETTINGS as readonly unknown[]).includes(value);
}

/** The sources a setting tries, in order, or what is wrong with it (for a blocked status). */
export function parseInstallSource(
  setting: unknown,
): { sources: readonly SourceKind[] } | { problem: string } {
  if (!isInstallSourceSetting(setting)) {
    const shown = typeof setting === 'string' ? JSON.stringify(setting) : String(setting);
    const choices = INSTALL_SOURCE_SETTINGS.join(', ');
    return { problem: `install-source must be one of ${choices}, got ${shown}` };
  }
  return { sources: setting === 'auto' ? AUTO_ORDER : [setting] };
}
