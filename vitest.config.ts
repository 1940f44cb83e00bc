import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration tests start real emulators on loopback; CDK synth takes seconds per stack.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // 2-core machines: more workers only fight for CPU.
    maxWorkers: 2,
    setupFiles: ['tests/helpers/setup-env.ts'],
  },
});
