import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

// No test may touch the user's own controllers: a verb that bootstraps one does it here, and
// the global teardown destroys whatever is left (test/integration/global-setup.ts).
process.env.RUNE_HOME = join(tmpdir(), `rune-test-home-${process.pid}`);

/** The store's contract tests (test/core/store/open-store.ts): run on SQLite and on etcd. */
const STORE_CONTRACT = [
  'test/core/store/sqlite-model.test.ts',
  'test/core/store/charm-revisions.test.ts',
  'test/core/store/sqlite-operations.test.ts',
  'test/core/store/status-history.test.ts',
  'test/core/store/read-caches.test.ts',
  'test/core/store/history.test.ts',
  'test/core/store/sqlite-resources.test.ts',
  'test/core/store/sqlite-store.test.ts',
  'test/core/controller/user-access.test.ts',
];
/** Tests of the replicated store itself: they need the etcd of the store-on-etcd project. */
const ON_ETCD_ONLY = [
  'test/core/store/etcd-store.test.ts',
  'test/core/controller/election.test.ts',
];

export default defineConfig({
  // `rune/charm`, `rune/interfaces` and `rune/testing` (package.json `exports`) resolve to the
  // sources here, as tsconfig.json's customConditions does for tsc: a charm under test and the
  // harness share one SDK instance, and no test needs a fresh dist/. Vite's defaults follow.
  ssr: { resolve: { conditions: ['rune-source', 'module', 'node', 'development|production'] } },
  test: {
    // Integration tests (test/integration/) start real hosts; they share the machine's two cores.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'rune',
          include: ['test/**/*.test.ts', 'docs/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...ON_ETCD_ONLY],
          globalSetup: ['test/integration/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'store-on-etcd',
          include: [...STORE_CONTRACT, ...ON_ETCD_ONLY],
          globalSetup: ['test/core/store/etcd-global-setup.ts'],
        },
      },
    ],
  },
});
