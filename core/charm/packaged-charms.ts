// The charms shipped with Rune, bundled when Rune is built (`npm run build` runs this file) into
// a read-only cache the controller looks in before running esbuild: deploying a shipped charm on
// a fresh controller then bundles nothing, and the charm's code starts (easyrsa's spare keys,
// say) while the machines are still being made. Edited sources miss this cache by their hash
// and are bundled as before.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHARM_CODE_FILES, bundleCharmCode } from './module-loader.js';
import { packageRoot } from './package-root.js';

/** Where the build leaves the shipped charms' bundles. */
export function packagedCharmCache(): string {
  return join(packageRoot(), 'dist', 'charm-cache');
}

/** Bundles every charm under `charmsDir` that has code; returns the charms' folder names. */
export async function bundleShippedCharms(charmsDir: string, cacheDir: string): Promise<string[]> {
  const names = readdirSync(charmsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .filter((name) => CHARM_CODE_FILES.some((f) => existsSync(join(charmsDir, name, f))))
    .sort();
  for (const name of names) {
    const code = CHARM_CODE_FILES.map((f) => join(charmsDir, name, f)).find((f) => existsSync(f));
    if (code !== undefined) await bundleCharmCode(code, cacheDir);
  }
  return names;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // From empty: bundles of sources since edited would otherwise pile up in the package.
  rmSync(packagedCharmCache(), { recursive: true, force: true });
  const names = await bundleShippedCharms(join(packageRoot(), 'charms'), packagedCharmCache());
  console.log(`bundled ${names.length} shipped charms into ${packagedCharmCache()}`);
}
