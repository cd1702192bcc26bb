import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every test process refuses ambient Google credentials before any client loads.
    setupFiles: ['./test/support/setup.ts'],
    globalSetup: ['./test/support/firestore-emulator.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
