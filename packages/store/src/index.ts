export type { StoreDatabase } from './database.js';
export {
  currentEventSeq,
  decisionLogOf,
  discardsIn,
  type ExperimentRunRow,
  endsIn,
  experimentRuns,
  findDecision,
  latestLiveDecision,
  liveEvalsIn,
  recordEvalDecision,
  reportDecisions,
  type SeqWindow,
} from './decision-log.js';
export { type CommitFlush, commitFlush } from './deferred-flush.js';
export {
  ExperimentNotFoundError,
  MigrationError,
  QueryError,
  ReaderRoleError,
  ReadOnlyQueryError,
  RunNotFoundError,
  StoreConnectionError,
} from './errors.js';
export {
  type EvalEvent,
  type ExperimentEvents,
  experimentEventsIn,
  lockExperimentOfRunWithEvents,
  type RunFence,
} from './experiment-events.js';
export { type ExperimentLock, lockExperiment, lockExperimentOfRun } from './experiment-lock.js';
export {
  closeExperimentIfEnded,
  type ExperimentTotals,
  experimentsWithStatus,
  getExperiment,
  listExperiments,
  type NewSubmission,
  type RunProgress,
  runProgress,
  runsOf,
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
export { type PredictedOutcome, predictedOutcomes } from './predicted-outcomes.js';
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
  withReaderLock,
} from './reader-role.js';
export { appendRunLog, runLogsOf } from './run-logs.js';
export {
  type CheckpointRecord,
  evalsOfRun,
  finishRun,
  type HistoryRun,
  historyRuns,
  insertExperimentRuns,
  type RunOutcome,
  recordCheckpoint,
  runStatus,
} from './run-records.js';
export * from './schema/index.js';
export { checkReadOnlyStatement, sqlTokens } from './sql-check.js';
export { type CancelResult, cancelRuns } from './transitions/cancel-runs.js';
export {
  abandonAttempt,
  failAttempt,
  finishAttempt,
  type RunSummaryFields,
} from './transitions/end-attempt.js';
export { expandExperimentRuns } from './transitions/expand-runs.js';
export { type ResumeInput, type ResumeResult, resumeAttempt } from './transitions/resume-attempt.js';
export {
  isFinal,
  type RunTransition,
  readAttempt,
  readLiveAttempt,
  readLiveRun,
  readRun,
  transitionRun,
} from './transitions/run-row.js';
export {
  type ResumableCheckpoint,
  type StartAttemptInput,
  type StartAttemptResult,
  startAttempt,
} from './transitions/start-attempt.js';
export {
  AttemptProtocolError,
  RunNotRunningError,
  StaleAttemptError,
} from './transitions/transition-errors.js';
export { type UpsertEvalsOptions, upsertEvals } from './upsert-evals.js';
export * from './views/index.js';
