// Build step (`npm run build` runs this after tsc): bundles the dashboard's browser code
// (core/dashboard/ui/, its own tsconfig with DOM types) with cytoscape, dagre and preact into
// dist/core/dashboard/static/, beside its page and style sheet. The controller serves these
// files itself: nothing is fetched from a CDN.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../charm/package-root.js';

const COPIED = ['index.html', 'style.css'];

export async function bundleDashboard(root: string): Promise<{ files: number; bytes: number }> {
  const { build } = await import('esbuild');
  const source = join(root, 'core', 'dashboard', 'ui');
  const outdir = join(root, 'dist', 'core', 'dashboard', 'static');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(source, 'main.ts') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    tsconfig: join(source, 'tsconfig.json'),
  });
  for (const f of COPIED) copyFileSync(join(source, f), join(outdir, f));
  const outputs = Object.values(result.metafile.outputs);
  return {
    files: outputs.length + COPIED.length,
    bytes: outputs.reduce((sum, o) => sum + o.bytes, 0),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = packageRoot();
  const { files, bytes } = await bundleDashboard(root);
  console.log(
    `bundled the dashboard into dist/core/dashboard/static: ${files} files, ${bytes} bytes`,
  );
}
