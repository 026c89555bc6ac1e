import { defineConfig } from 'vitest/config';

/**
 * Tests by cost: `unit` is pure (no server, no Java, no synthesis); `integration` runs the emulators, DynamoDB Local
 * and the synthesized app; `e2e` runs the local runtime. `npm test` runs all three; `npm run test:unit` the first.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    // s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3 only has in its legacy provider.
    execArgv: ['--openssl-legacy-provider'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    fileParallelism: true,
    maxWorkers: 2,
    // Measured by `npm test` (`vitest run --coverage`): V8's own counters, product code only. Code that runs inside the
    // local functions' worker threads is not counted (V8 coverage is per isolate), so the figures are a floor.
    coverage: {
      provider: 'v8',
      include: [
        'bin/**/*.ts',
        'cli/**/*.ts',
        'lambdas/**/*.ts',
        'lib/**/*.ts',
        'local/**/*.ts',
        'state-machines/**/*.ts',
      ],
      reporter: ['text-summary'],
      reportsDirectory: 'coverage',
      // Today's figures rounded down (a clean-clone run of the whole suite), so coverage can only rise.
      thresholds: { statements: 84, branches: 69, functions: 83, lines: 85 },
    },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/cdk/**/*.test.ts', 'test/workflows/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/global-setup.ts'] },
      },
    ],
  },
});
