/** An expected, user-facing failure: printed as one line, exits with `exitCode`, no stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Wrong command line: exit code 2, as with most Unix tools. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** Errors from our packages are classified by `name`, never by `instanceof` (STYLE.md, Errors). */
const EXPECTED_ERROR_NAMES = new Set([
  'CliError',
  'SpecError',
  'ReadOnlyQueryError',
  'QueryError',
  'StoreConnectionError',
  'MigrationError',
  'ExperimentNotFoundError',
  'RunNotFoundError',
  'PolicyOptionsError',
  // @curfew/trainer: an unavailable backend, an untrainable model, a damaged checkpoint.
  'BackendError',
  'ModelFamilyError',
  'CheckpointError',
  'TaskParamsError',
  // @curfew/worker: a bad worker variable (REDIS_URL, CURFEW_WORKER_CONCURRENCY, …).
  'WorkerConfigError',
]);

export function isExpectedError(err: unknown): err is Error {
  return err instanceof Error && EXPECTED_ERROR_NAMES.has(err.name);
}
