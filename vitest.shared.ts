import { defineConfig } from 'vitest/config';

/**
 * Shared by every workspace's vitest.config.ts. Besides the usual console output each run writes
 * a JSON report that `npm test` (scripts/test.mjs) sums into one closing line.
 */
export const sharedTestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
