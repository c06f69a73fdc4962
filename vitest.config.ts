import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native addons must not be loaded into worker threads that vitest recycles; forks isolate them.
    pool: 'forks',
    testTimeout: 60_000,
  },
});
