import { and, asc, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { StoreDatabase } from '../database.js';
import type { ExperimentLock } from '../experiment-lock.js';
import { checkpoints } from '../schema/checkpoints.js';
import { metaModels } from '../schema/meta-models.js';
import { runAttempts } from '../schema/run-attempts.js';
import { type RunStatus, runs } from '../schema/runs.js';
import { isFinal, readRun, transitionRun, transitionRunQuery } from './run-row.js';

export interface StartAttemptInput {
  runId: string;
  /** The worker taking the run, e.g. `host:pid`. */
  workerId: string;
  backend: string | null;
  /** Attempts a run gets before it is failed for good. */
  maxAttempts: number;
  /** `meta_models.state->>'kind'` of stop models: a first attempt pins the newest one. */
  stopModelKind: string;
}

/** A checkpoint of an earlier attempt that holds no discarded eval: it may be resumed. */
export interface ResumableCheckpoint {
  attempt: number;
  step: number;
  tokens: number;
  path: string;
}

export type StartAttemptResult =
  | {
      kind: 'started';
      attempt: number;
      stopModelVersion: number | null;
      /** Newest step first. */
      checkpoints: ResumableCheckpoint[];
    }
  | { kind: 'refused'; status: RunStatus; reason: string };

/**
 * Starts the next attempt of a run: queued or running → running with `attempts + 1`, the fence
 * that refuses every later write of earlier attempts (a running run's live attempt is presumed
 * dead: its job was re-delivered). Refuses a run that has ended, ends as cancelled a run whose
 * cancel arrived while its last attempt died, and fails a run out of attempts.
 */
export async function startAttempt(
  tx: StoreDatabase,
  lock: ExperimentLock,
  input: StartAttemptInput,
): Promise<StartAttemptResult> {
  const run = await readRun(tx, input.runId);
  if (isFinal(run.status)) return { kind: 'refused', status: run.status, reason: `run is ${run.status}` };
  const previous = run.attempts;
  const ending = { runId: run.id, from: ['queued', 'running'] as const, attempt: previous, seq: lock.seq };
  if (run.cancelRequestedSeq !== null) {
    await transitionRun(tx, { ...ending, to: 'cancelled', set: { stopReason: 'cancelled' } });
    await endAttemptRow(tx, run.id, previous, 'abandoned', 'cancelled while no attempt was live');
    return { kind: 'refused', status: 'cancelled', reason: 'the run was cancelled' };
  }
  if (previous >= input.maxAttempts) {
    const error = `gave up after ${previous} attempts${run.error ? ` (last: ${run.error})` : ''}`;
    await transitionRun(tx, { ...ending, to: 'failed', set: { error } });
    await endAttemptRow(tx, run.id, previous, 'failed', error);
    return { kind: 'refused', status: 'failed', reason: error };
  }
  // One statement: the previous attempt ends, the run takes the next one, and its row is written
  // with its stop model (a first attempt pins the newest; later ones keep the first one's).
  const attempt = previous + 1;
  const transition = transitionRunQuery(tx, {
    ...ending,
    to: 'running',
    set: {
      attempts: attempt,
      backend: input.backend,
      startedAt: sql`coalesce(${runs.startedAt}, now())`,
      error: null,
    },
  });
  const stopModel = previous > 0 ? pinnedStopModel(tx, run.id) : newestStopModel(tx, input.stopModelKind);
  const insert = tx
    .insert(runAttempts)
    .values({
      runId: run.id,
      attempt,
      workerId: input.workerId,
      backend: input.backend,
      stopModelVersion: sql`(${stopModel})`,
    })
    .returning({ stopModelVersion: runAttempts.stopModelVersion });
  const superseded = endAttemptRowQuery(
    tx,
    run.id,
    previous,
    'superseded',
    'another attempt of the run started',
  );
  const result = await tx.execute(
    sql`with ended as (${superseded.getSQL()}), moved as (${transition.getSQL()}), started as (${insert.getSQL()})
        select stop_model_version from started`,
  );
  const [row] = (result as unknown as { rows: { stop_model_version: number | string | null }[] }).rows;
  const stopModelVersion = row?.stop_model_version == null ? null : Number(row.stop_model_version);
  // A run with no attempt before this one has no checkpoint: only a live attempt records one.
  const checkpoints = previous > 0 ? await resumable(tx, run.id, attempt) : [];
  return { kind: 'started', attempt, stopModelVersion, checkpoints };
}

/** Ends an attempt's row if it is still live (a no-op for attempt 0 or an attempt already ended). */
export async function endAttemptRow(
  tx: StoreDatabase,
  runId: string,
  attempt: number,
  outcome: (typeof runAttempts.$inferSelect)['outcome'],
  error: string | null,
): Promise<void> {
  await endAttemptRowQuery(tx, runId, attempt, outcome, error);
}

/** `endAttemptRow`'s statement, not yet run (for one statement with the writes that go with it). */
export function endAttemptRowQuery(
  tx: StoreDatabase,
  runId: string,
  attempt: number,
  outcome: (typeof runAttempts.$inferSelect)['outcome'],
  error: string | null,
) {
  return tx
    .update(runAttempts)
    .set({ outcome, error, endedAt: sql`now()` })
    .where(and(eq(runAttempts.runId, runId), eq(runAttempts.attempt, attempt), isNull(runAttempts.outcome)));
}

/** The stop model version of the run's first attempt (a scalar subquery). */
function pinnedStopModel(tx: StoreDatabase, runId: string) {
  return tx
    .select({ version: runAttempts.stopModelVersion })
    .from(runAttempts)
    .where(eq(runAttempts.runId, runId))
    .orderBy(asc(runAttempts.attempt))
    .limit(1);
}

/** The newest stop model version of this kind (a scalar subquery). */
function newestStopModel(tx: StoreDatabase, kind: string) {
  return tx
    .select({ version: metaModels.version })
    .from(metaModels)
    .where(sql`${metaModels.state} ->> 'kind' = ${kind}`)
    .orderBy(desc(metaModels.version))
    .limit(1);
}

async function resumable(tx: StoreDatabase, runId: string, attempt: number): Promise<ResumableCheckpoint[]> {
  const rows = await tx
    .select({
      attempt: checkpoints.attempt,
      step: checkpoints.step,
      tokens: checkpoints.tokens,
      path: checkpoints.path,
    })
    .from(checkpoints)
    .where(
      and(eq(checkpoints.runId, runId), lt(checkpoints.attempt, attempt), isNull(checkpoints.discardedSeq)),
    )
    .orderBy(desc(checkpoints.step), desc(checkpoints.attempt));
  return rows.flatMap((r) => (r.attempt === null ? [] : [{ ...r, attempt: r.attempt }]));
}
