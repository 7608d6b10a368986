import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{lib,services,cli}/*/src/**/*.test.ts', 'cli/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 600_000,
  },
});
