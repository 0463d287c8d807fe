import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Examples import the packages by name, as a user would; tests run them on the source.
  // @vetalyze/bench/embedded-postgres is the one module that starts the embedded
  // test server, for the library's tests and the harness alike.
  resolve: {
    alias: {
      '@vetalyze/db': new URL('./src/index.ts', import.meta.url).pathname,
      '@vetalyze/bench/embedded-postgres': new URL('./bench/embedded-postgres.ts', import.meta.url)
        .pathname,
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers only queue behind the one PostgreSQL server.
    maxWorkers: 2,
  },
});
