import { defineConfig } from 'vitest/config';

/**
 * Three projects:
 *   unit  pure and in-process tests of src/ (no build, no peers)
 *   cli   tests that run the built CLI (bin/ksec.js -> dist/bundle) as a user would; need `npm run build`
 *   e2e   tests against real peers started by the test bed (see docs/testing.md)
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'cli',
          include: ['test/cli/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
