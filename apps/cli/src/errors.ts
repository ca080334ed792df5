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
  'ReaderRoleError',
  'ReaderLoginError',
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
  // @curfew/scheduler: a bad scheduler variable (CURFEW_API_TOKEN too short, …).
  'SchedulerConfigError',
]);

export function isExpectedError(err: unknown): err is Error {
  return err instanceof Error && EXPECTED_ERROR_NAMES.has(err.name);
}

/** Socket errors of a server that is down or went away. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
/** SQLSTATE of a server shutting down or refusing connections (class 08: connection exceptions). */
const SERVER_GONE_SQLSTATE = /^(08...|57P0[123])$/;
const CONNECTION_MESSAGES =
  /Connection terminated|Connection is closed|connect ECONNREFUSED|Client has encountered a connection error|MaxRetriesPerRequest/i;

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && chain.length < 5; e = (e as { cause?: unknown }).cause)
    chain.push(e);
  return chain;
}

/** A database or Redis that went away while a command ran: the driver's error, or undefined. */
function connectionFailure(err: unknown): Error | undefined {
  for (const e of causes(err)) {
    if (!(e instanceof Error)) continue;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || SERVER_GONE_SQLSTATE.test(code))) return e;
    if (e.name === 'MaxRetriesPerRequestError' || CONNECTION_MESSAGES.test(e.message)) return e;
  }
  return undefined;
}

/**
 * What `curfew COMMAND` prints for a failure it expects (a bad spec, a missing experiment, a
 * database or Redis that is down or went away): one line and an exit code. Undefined for a bug,
 * which keeps its stack trace.
 */
export function describeFailure(
  err: unknown,
  command: string,
): { message: string; exitCode: number } | undefined {
  if (isExpectedError(err)) {
    const exitCode = 'exitCode' in err && typeof err.exitCode === 'number' ? err.exitCode : 1;
    return { message: err.message, exitCode };
  }
  const lost = connectionFailure(err);
  if (!lost) return undefined;
  const reason = lost.message.split('\n')[0] || (lost as { code?: string }).code || lost.name;
  return {
    message: `curfew ${command}: lost the connection to the database or Redis (${reason}); check that they are running (curfew status) and try again`,
    exitCode: 1,
  };
}
