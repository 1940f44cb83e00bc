import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration tests start real emulators on loopback; CDK synth takes seconds per stack.
    testTimeout: 120_000,
    // A hook that starts the local platform (synth, 31 function workers, the emulators) took
    // 40–60 s alone on the 2-core machine and past 120 s beside another such file in a clean
    // CI run (tests/integration/campaign-faults.test.ts, 2026-12-02): the limit guards against
    // a hang, it measures nothing.
    hookTimeout: 600_000,
    pool: 'forks',
    // 2-core machines: more workers only fight for CPU.
    maxWorkers: 2,
    setupFiles: ['tests/helpers/setup-env.ts'],
  },
});
