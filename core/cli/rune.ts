#!/usr/bin/env node
// The `rune` executable: runs the CLI from its bundle (a few files, built by `npm run build`:
// bundle-cli.ts) when there is one, else from the compiled modules (entry.ts). Loading one
// bundle instead of some sixty modules is most of what a short command like `rune status` costs.
import { existsSync } from 'node:fs';

const bundle = new URL('../cli-bundle/entry.js', import.meta.url);
// The controller's own process runs charm code, which imports Rune's SDK from dist/core/: it
// must share those modules, not a bundled copy, so it runs unbundled (its start-up is rare).
const unbundled = process.argv[2] === 'controller' || !existsSync(bundle);
await import(unbundled ? './entry.js' : bundle.href);
