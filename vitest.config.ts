import { defineConfig } from 'vitest/config';

const shared = {
  globalSetup: ['./src/test/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

/**
 * Every test under src/ runs twice: on PGlite and on a real PostgreSQL server. Browser tests
 * (tests/e2e) run once, against a server on an embedded database.
 */
export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      { test: { ...shared, name: 'pglite', include: ['src/**/*.test.ts'], env: { LOOPSHOP_TEST_DB: 'pglite' } } },
      { test: { ...shared, name: 'postgres', include: ['src/**/*.test.ts'], env: { LOOPSHOP_TEST_DB: 'postgres' } } },
      {
        test: {
          name: 'browser',
          include: ['tests/e2e/**/*.test.ts'],
          // The prepared demo a first start copies (src/demo/prepared.ts), made once if missing.
          globalSetup: ['./tests/e2e/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
