#!/usr/bin/env node
// The `rune` executable: runs the CLI from its bundle (a few files, built by `npm run build`:
// bundle-cli.ts) when there is a current one, else from the compiled modules (entry.ts). Loading
// one bundle instead of some sixty modules is most of what a short command like `rune status`
// costs.
import { statSync } from 'node:fs';

const bundle = new URL('../cli-bundle/entry.js', import.meta.url);
const mtime = (url: URL) => statSync(url, { throwIfNoEntry: false })?.mtimeMs;
const bundled = mtime(bundle);
// tsc alone (not npm run build) after the last bundle leaves it stale: its build info is newer.
const stale =
  bundled === undefined || bundled < (mtime(new URL('../../.tsbuildinfo', import.meta.url)) ?? 0);
// The controller's own process runs charm code, which imports Rune's SDK from dist/core/: it
// must share those modules, not a bundled copy, so it runs unbundled (its start-up is rare).
const unbundled = process.argv[2] === 'controller' || stale;
await import(unbundled ? './entry.js' : bundle.href);
