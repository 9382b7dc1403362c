// Build step (`npm run build` runs this file after tsc): bundles the compiled CLI (entry.js and
// what it imports) into dist/core/cli-bundle/, split at the command table's lazy imports, so a
// command loads a few files rather than every module one by one. Packages stay external.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Next to dist/core/cli/, so paths found from a module's own URL (the package root, the SDK's
 * folder) come out the same from the bundle. */
export function cliBundleDir(distCore: string): string {
  return join(distCore, 'cli-bundle');
}

export async function bundleCli(distCore: string): Promise<{ files: number; bytes: number }> {
  const { build } = await import('esbuild');
  const outdir = cliBundleDir(distCore);
  // From empty: chunks are named by hash, and old ones would otherwise pile up.
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(distCore, 'cli', 'entry.js')],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunk-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.values(result.metafile.outputs);
  return { files: outputs.length, bytes: outputs.reduce((sum, o) => sum + o.bytes, 0) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const distCore = dirname(dirname(fileURLToPath(import.meta.url)));
  const { files, bytes } = await bundleCli(distCore);
  console.log(`bundled the CLI into ${cliBundleDir(distCore)}: ${files} files, ${bytes} bytes`);
}
