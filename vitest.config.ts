import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration and browser tests share 2 cores; run files one at a time.
    fileParallelism: false,
  },
});
