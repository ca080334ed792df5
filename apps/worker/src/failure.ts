import type { DecisionService } from '@curfew/decisions';
import { FINAL_COMMAND_ERRORS } from '@curfew/trainer';
import { type Job, UnrecoverableError } from 'bullmq';
import { isUnwritable } from './attempt-folder';

/** Errors of a run's configuration (by name, STYLE.md): every attempt would fail the same way. */
const CONFIG_ERRORS = new Set([
  'TaskParamsError',
  'ModelFamilyError',
  'PolicyOptionsError',
  'BackendError',
  'CheckpointError',
  'BadRequestError',
  'StoredSpecError',
  'ArtifactsError',
  // A command trainer's program that cannot start or breaks the eval protocol.
  ...FINAL_COMMAND_ERRORS,
]);

/** Refusals of the decision service: another attempt owns the run, or it is no longer running. */
export const SUPERSEDED = new Set(['StaleAttemptError', 'RunNotRunningError']);

export type FailureKind = 'superseded' | 'final' | 'retryable';

export function classify(error: unknown): FailureKind {
  const name = (error as Error | null)?.name ?? '';
  if (SUPERSEDED.has(name)) return 'superseded';
  if (CONFIG_ERRORS.has(name) || isUnwritable(error)) return 'final';
  return 'retryable';
}

/**
 * Records a failed attempt through the decision service: a final one fails the run (and the job,
 * without BullMQ retries); any other sends the run back to the queue while BullMQ will retry the
 * job, and fails it on the job's last attempt. Rethrows for BullMQ to see.
 */
export async function failAttempt(
  service: DecisionService,
  job: Job,
  runId: string,
  attempt: number,
  error: unknown,
): Promise<never> {
  const reason = error instanceof Error ? error.message : String(error);
  const kind = classify(error);
  const retried = job.attemptsMade + 1 < (job.opts.attempts ?? 1);
  await service.fail({
    runId,
    attempt,
    reason: reason.slice(0, 2_000) || 'unknown error',
    retryable: kind === 'retryable' && retried,
  });
  if (kind === 'final') throw new UnrecoverableError(reason);
  throw error;
}
