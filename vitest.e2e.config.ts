import { defineConfig } from 'vitest/config';

/** The end-to-end suite and the CLI behaviour tests: both drive the real `bin/oms` against the whole local stack. */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts', 'test/cli/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 1_200_000,
    fileParallelism: false,
    globalSetup: ['test/e2e/global-setup.ts'],
  },
});
