// Test helpers for other packages' integration tests: a fresh database per test on the real
// Postgres server (TEST_DATABASE_URL) or on PGlite, with curfew's migrations applied.
export {
  adminQuery,
  BACKENDS,
  pgliteBackend,
  postgresBackend,
  TEST_DATABASE_URL,
  type TestBackend,
  type TestDatabase,
} from './test-backends.js';
