import { defineConfig } from 'vitest/config'

// The lab (test/lab/*.lab.ts): emulated hosts are CPU-heavy TCG guests, so one at a time, in one
// worker, with limits set per host by the tests themselves.
export default defineConfig({
  test: {
    include: ['test/lab/**/*.lab.ts'],
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
})
