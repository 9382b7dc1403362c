import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/integration/global-setup.ts'],
    // Integration tests (test/integration/) start real hosts; they share the machine's two cores.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
