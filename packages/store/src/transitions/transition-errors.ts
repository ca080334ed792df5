/**
 * Refusals of the run-state transitions. Classify them by `name` (STYLE.md): they cross the
 * decision service to the worker, which turns them into "stop training, do not finish".
 */

/** A write from an attempt that is no longer the run's live one (another attempt has started). */
export class StaleAttemptError extends Error {
  override readonly name = 'StaleAttemptError';
}

/** A write for a run that is not running (it ended, was cancelled, or went back to the queue). */
export class RunNotRunningError extends Error {
  override readonly name = 'RunNotRunningError';
  constructor(
    message: string,
    /** The run's status when the write was refused. */
    readonly status: string,
  ) {
    super(message);
  }
}

/** A request out of protocol order: resuming twice, reporting before resuming, a step going back. */
export class AttemptProtocolError extends Error {
  override readonly name = 'AttemptProtocolError';
}
