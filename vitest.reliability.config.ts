import { defineConfig } from 'vitest/config';

// test/reliability: hogsync under attack (kill -9 and SIGTERM mid-push, faults, redirects,
// malformed answers, hostile files, shifting lists, scale), and the end-to-end checks that take
// seconds each: rate windows filled and waited out across runs, the npm package packed and
// installed. Slower than the default suite; CI runs both.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
