import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests (test/integration/) start real hosts; they share the machine's two cores.
    testTimeout: 20_000,
  },
});
