import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// No test may touch the user's own controllers: a verb that bootstraps one does it here, and
// the global teardown destroys whatever is left (test/integration/global-setup.ts).
process.env.RUNE_HOME = join(tmpdir(), `rune-test-home-${process.pid}`);

export default defineConfig({
  // `rune/charm`, `rune/interfaces` and `rune/testing` (package.json `exports`) resolve to the
  // sources here, as tsconfig.json's customConditions does for tsc: a charm under test and the
  // harness share one SDK instance, and no test needs a fresh dist/. Vite's defaults follow.
  ssr: { resolve: { conditions: ['rune-source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts', 'docs/**/*.test.ts'],
    globalSetup: ['test/integration/global-setup.ts'],
    // Integration tests (test/integration/) start real hosts; they share the machine's two cores.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
