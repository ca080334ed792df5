/**
 * Errors of a command trainer's program, classified by name (STYLE.md). Final ones (the program
 * cannot be started, or breaks the eval protocol) fail the run; the others fail the attempt and
 * the run is retried while it has attempts.
 */

/** The program does not exist or cannot be executed, or its folder is missing: final. */
export class CommandNotFoundError extends Error {
  override readonly name = 'CommandNotFoundError';
}

/** The program printed a `{"curfew": …}` line curfew cannot read, or evals out of order: final. */
export class CommandProtocolError extends Error {
  override readonly name = 'CommandProtocolError';
}

/** The program crashed, exited non-zero, or exited before its first eval: retried. */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
}

/** The program reported no eval within `trainer.eval_timeout_ms`: retried. */
export class CommandSilentError extends Error {
  override readonly name = 'CommandSilentError';
}

/** Names of the errors that fail a run for good: every attempt would fail the same way. */
export const FINAL_COMMAND_ERRORS = ['CommandNotFoundError', 'CommandProtocolError'] as const;
