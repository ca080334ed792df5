import { and, eq, sql } from 'drizzle-orm';
import type { StoreDatabase } from '../database.js';
import type { ExperimentLock } from '../experiment-lock.js';
import { runAttempts } from '../schema/run-attempts.js';
import type { RunStatus } from '../schema/runs.js';
import {
  checkLive,
  readLiveRun,
  readRun,
  readRunAndAttempt,
  transitionRun,
  transitionRunQuery,
} from './run-row.js';
import { endAttemptRow, endAttemptRowQuery } from './start-attempt.js';

/** How a run that trained to its end ended. */
export interface RunSummaryFields {
  status: Extract<RunStatus, 'stopped' | 'completed' | 'cancelled'>;
  stopReason: string | null;
  tokensUsed: number;
  valTokens: number;
  bestStep: number | null;
  bestTokens: number | null;
  deployedEm: number | null;
}

/**
 * The live attempt ends its run: running → stopped, completed or cancelled, with the summary.
 * Repeating the request after it committed (an unknown outcome retried) changes nothing.
 */
export async function finishAttempt(
  tx: StoreDatabase,
  lock: ExperimentLock,
  input: { runId: string; attempt: number; summary: RunSummaryFields },
): Promise<{ repeated: boolean }> {
  const found = await readRunAndAttempt(tx, input.runId, input.attempt);
  if (found.attempt?.outcome === input.summary.status) return { repeated: true };
  checkLive(found.run, input.attempt);
  const { status, ...fields } = input.summary;
  const transition = transitionRunQuery(tx, {
    runId: input.runId,
    from: ['running'],
    attempt: input.attempt,
    to: status,
    seq: lock.seq,
    set: { ...fields, error: null },
  });
  const ended = endAttemptRowQuery(tx, input.runId, input.attempt, status, null);
  await tx.execute(sql`with moved as (${transition.getSQL()}) ${ended.getSQL()}`);
  return { repeated: false };
}

/**
 * The live attempt failed: a retryable failure sends the run back to the queue, any other fails
 * it for good. With `attempt` null (a payload no attempt could start from) the run fails whatever
 * attempt is live. Repeating the request changes nothing.
 */
export async function failAttempt(
  tx: StoreDatabase,
  lock: ExperimentLock,
  input: { runId: string; attempt: number | null; reason: string; retryable: boolean },
): Promise<{ status: RunStatus; repeated: boolean }> {
  const to = input.retryable && input.attempt !== null ? 'queued' : 'failed';
  if (input.attempt === null) {
    const run = await readRun(tx, input.runId);
    if (run.status === 'failed') return { status: 'failed', repeated: true };
    const from = ['queued', 'running'] as const;
    if (!(await transitionRun(tx, { runId: run.id, from, to, seq: lock.seq, set: { error: input.reason } })))
      return { status: run.status, repeated: true };
    await endAttemptRow(tx, run.id, run.attempts, 'failed', input.reason);
    return { status: to, repeated: false };
  }
  if (await endedBy(tx, input.runId, input.attempt, to === 'queued' ? 'requeued' : 'failed'))
    return { status: to, repeated: true };
  await readLiveRun(tx, input.runId, input.attempt);
  await transitionRun(tx, {
    runId: input.runId,
    from: ['running'],
    attempt: input.attempt,
    to,
    seq: lock.seq,
    set: { error: input.reason },
  });
  await endAttemptRow(tx, input.runId, input.attempt, to === 'queued' ? 'requeued' : 'failed', input.reason);
  return { status: to, repeated: false };
}

/**
 * The reconciler found no live job for the run's live attempt: the attempt is abandoned and the
 * run goes back to the queue, or is cancelled (a cancel was waiting for it), or fails when it is
 * out of attempts. A no-op (false) unless `attempt` is still the live attempt of a running run.
 */
export async function abandonAttempt(
  tx: StoreDatabase,
  lock: ExperimentLock,
  input: { runId: string; attempt: number; reason: string; maxAttempts: number },
): Promise<{ status: RunStatus } | null> {
  const run = await readRun(tx, input.runId);
  if (run.status !== 'running' || run.attempts !== input.attempt) return null;
  const base = { runId: run.id, from: ['running'] as const, attempt: input.attempt, seq: lock.seq };
  let status: RunStatus;
  if (run.cancelRequestedSeq !== null) {
    status = 'cancelled';
    await transitionRun(tx, { ...base, to: status, set: { stopReason: 'cancelled' } });
  } else if (run.attempts >= input.maxAttempts) {
    status = 'failed';
    const error = `gave up after ${run.attempts} attempts (last: ${input.reason})`;
    await transitionRun(tx, { ...base, to: status, set: { error } });
  } else {
    status = 'queued';
    await transitionRun(tx, { ...base, to: status, set: { error: input.reason } });
  }
  await endAttemptRow(tx, run.id, input.attempt, 'abandoned', input.reason);
  return { status };
}

/** Whether the attempt has already ended with this outcome (a repeated request). */
async function endedBy(tx: StoreDatabase, runId: string, attempt: number, outcome: string): Promise<boolean> {
  const [row] = await tx
    .select({ outcome: runAttempts.outcome })
    .from(runAttempts)
    .where(and(eq(runAttempts.runId, runId), eq(runAttempts.attempt, attempt)));
  return row?.outcome === outcome;
}
