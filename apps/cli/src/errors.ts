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
  'PolicyOptionsError',
]);

export function isExpectedError(err: unknown): err is Error {
  return err instanceof Error && EXPECTED_ERROR_NAMES.has(err.name);
}
