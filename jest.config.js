/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  // Two cores: more workers than that only adds contention on the one database server.
  maxWorkers: 2,
  // A worker's heap outlives its test files: Apollo's 10 s drain timer, fetch's timer and Jest's per-file
  // AsyncLocalStorage keep their sandboxes, and at the end V8 takes longer than Jest's 500 ms to free a
  // heap of 600 MB or more, so Jest reports a forced exit. Past 300 MB a worker is replaced between files.
  workerIdleMemoryLimit: '300MB',
};
