export type { StoreDatabase } from './database.js';
export {
  MigrationError,
  QueryError,
  ReaderRoleError,
  ReadOnlyQueryError,
  StoreConnectionError,
} from './errors.js';
export {
  closeExperimentIfEnded,
  ExperimentNotFoundError,
  type ExperimentTotals,
  experimentsWithStatus,
  getExperiment,
  listExperiments,
  type NewSubmission,
  type RunProgress,
  runProgress,
  runsOf,
  setExperimentStatus,
  submitExperiment,
} from './experiment-records.js';
export { MIGRATION_LOCK_KEY, type MigrateOptions, type MigrateResult, migrate } from './migrate.js';
export { DEFAULT_MIGRATIONS_FOLDER } from './migration-files.js';
export { curfewMigrations } from './migrations-table.js';
export {
  DEFAULT_DATA_DIR,
  describeStore,
  type OpenStoreOptions,
  openStore,
  redactUrl,
  type Store,
} from './open-store.js';
export type { QueryRows, ReadOnlyQueryOptions } from './read-only-query.js';
export { ReaderLoginError, readOnlyQueryAs } from './reader-query.js';
export {
  curfewRelations,
  grantReader,
  mayCreateRoles,
  privilegesOfConcern,
  READER_STATEMENT_TIMEOUT_MS,
  type ReaderCredentials,
  readerRoleName,
  setUpReaderRole,
} from './reader-role.js';
export {
  type CheckpointRecord,
  cancelRuns,
  FINAL_RUN_STATUSES,
  failRun,
  finishRun,
  type HistoryRun,
  historyRuns,
  insertExperimentRuns,
  markRunRunning,
  type PeerRunRecord,
  peerRuns,
  RunNotFoundError,
  type RunOutcome,
  recordCheckpoint,
  runStatus,
} from './run-records.js';
export * from './schema/index.js';
export { checkReadOnlyStatement, sqlTokens } from './sql-check.js';
export { type UpsertEvalsOptions, upsertEvals } from './upsert-evals.js';
export * from './views/index.js';
