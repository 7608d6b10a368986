import { defineConfig } from 'vitest/config';

/**
 * Unit and integration tests. The global setup brings up (or reuses) the real
 * infrastructure with the local runtime; integration tests (*.int.test.ts) talk to it.
 * The end-to-end suite has its own config (vitest.e2e.config.ts) and runs after this one.
 */
export default defineConfig({
  test: {
    include: ['lib/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'cli/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
  },
});
