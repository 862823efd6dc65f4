import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/reliability (kills, faults, scale, rate windows, the installed package) runs in `npm run test:reliability`, also in CI.
    exclude: ['test/reliability/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Most of a test's time is spent waiting on an emulator or a CLI process, so one worker more
    // than the machine has cores keeps them busy (three on this 2-core machine); files share one
    // module graph per worker (each resets its emulator).
    maxWorkers: Math.max(2, availableParallelism() + 1),
    isolate: false,
  },
});
