/**
 * Errors of the store. Classify them by `name`, not `instanceof`: copies of this package loaded
 * twice (or errors crossing a sandboxed processor) break `instanceof`.
 */

/** The database could not be reached or opened. The message names where and what to do. */
export class StoreConnectionError extends Error {
  override readonly name = 'StoreConnectionError';
}

/** `readOnlyQuery` refused SQL that would write or escape its read-only transaction. */
export class ReadOnlyQueryError extends Error {
  override readonly name = 'ReadOnlyQueryError';
}

/** The read-only role of `curfew sql` could not be set up, or the role it would run as may do too much. */
export class ReaderRoleError extends Error {
  override readonly name = 'ReaderRoleError';
}

/** `readOnlyQuery` failed with a SQL error; the message is Postgres's. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  /** SQLSTATE code, e.g. `42P01` (undefined table). */
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError';
}

export class ExperimentNotFoundError extends Error {
  override readonly name = 'ExperimentNotFoundError';
}

/** A migration could not be read or applied. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** The SQLSTATE code of a driver error, if it has one. */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  // Emscripten (PGlite) throws plain objects such as ErrnoError { errno: 20 }.
  if (typeof error === 'object' && error !== null) {
    const { message, errno, code } = error as { message?: unknown; errno?: unknown; code?: unknown };
    if (typeof message === 'string' && message) return message;
    if (errno !== undefined) return `errno ${String(errno)}${code ? ` (${String(code)})` : ''}`;
  }
  return String(error);
}
