import { and, eq, inArray, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { StoreDatabase } from '../database.js';
import { RunNotFoundError } from '../errors.js';
import { type RunAttempt, runAttempts } from '../schema/run-attempts.js';
import { FINAL_RUN_STATUSES, type Run, type RunStatus, runs } from '../schema/runs.js';
import { AttemptProtocolError, RunNotRunningError, StaleAttemptError } from './transition-errors.js';

export function isFinal(status: RunStatus): boolean {
  return (FINAL_RUN_STATUSES as readonly string[]).includes(status);
}

export async function readRun(tx: StoreDatabase, runId: string): Promise<Run> {
  const [row] = await tx.select().from(runs).where(eq(runs.id, runId));
  if (!row) throw new RunNotFoundError(`run ${runId} does not exist`);
  return row;
}

/** The run, if `attempt` is its live attempt and it is running; else the refusal that says why not. */
export async function readLiveRun(tx: StoreDatabase, runId: string, attempt: number): Promise<Run> {
  const run = await readRun(tx, runId);
  checkLive(run, attempt);
  return run;
}

export function checkLive(run: Run, attempt: number): void {
  if (run.attempts !== attempt) {
    throw new StaleAttemptError(
      `run ${run.id}: attempt ${attempt} was superseded by attempt ${run.attempts}; this attempt must stop`,
    );
  }
  if (run.status !== 'running') {
    throw new RunNotRunningError(
      `run ${run.id} is ${run.status}, not running; this attempt must stop`,
      run.status,
    );
  }
}

export interface RunTransition {
  runId: string;
  /** Statuses the run may be in (compare-and-set). */
  from: readonly RunStatus[];
  /** When given, the run's live attempt must be this one. */
  attempt?: number;
  to: RunStatus;
  /** The transaction's event sequence number: a final status records it as the run's end. */
  seq: number;
  set?: Omit<PgUpdateSetSource<typeof runs>, 'id' | 'status' | 'endSeq'>;
}

/**
 * The one place that changes `runs.status`: a compare-and-set on the status (and the attempt).
 * A final status stamps the run's end with the event sequence number. Returns whether it applied.
 */
export async function transitionRun(tx: StoreDatabase, t: RunTransition): Promise<boolean> {
  const rows = await transitionRunQuery(tx, t);
  return rows.length > 0;
}

/**
 * `transitionRun`'s statement, not yet run (it returns the id of the run it changed): a caller
 * under the experiment's lock puts it in one statement with the writes that go with it.
 */
export function transitionRunQuery(tx: StoreDatabase, t: RunTransition) {
  const final = isFinal(t.to);
  return tx
    .update(runs)
    .set({
      ...t.set,
      status: t.to,
      endSeq: final ? t.seq : null,
      ...(final ? { finishedAt: sql`now()` } : {}),
    })
    .where(
      and(
        eq(runs.id, t.runId),
        inArray(runs.status, [...t.from]),
        t.attempt === undefined ? undefined : eq(runs.attempts, t.attempt),
      ),
    )
    .returning({ id: runs.id });
}

/**
 * `readLiveRun` and `readAttempt` in one query (the decision service asks both under the
 * experiment's lock, where a round trip is time every other report of the experiment waits).
 */
export async function readLiveAttempt(
  tx: StoreDatabase,
  runId: string,
  attempt: number,
): Promise<{ run: Run; attempt: RunAttempt }> {
  const found = await readRunAndAttempt(tx, runId, attempt);
  checkLive(found.run, attempt);
  if (!found.attempt) throw new AttemptProtocolError(`run ${runId} has no attempt ${attempt}`);
  return { run: found.run, attempt: found.attempt };
}

/** The run and its attempt `attempt` (null when there is none) in one query, whatever their state. */
export async function readRunAndAttempt(
  tx: StoreDatabase,
  runId: string,
  attempt: number,
): Promise<{ run: Run; attempt: RunAttempt | null }> {
  const [row] = await tx
    .select()
    .from(runs)
    .leftJoin(runAttempts, and(eq(runAttempts.runId, runs.id), eq(runAttempts.attempt, attempt)))
    .where(eq(runs.id, runId));
  if (!row) throw new RunNotFoundError(`run ${runId} does not exist`);
  return { run: row.runs, attempt: row.run_attempts };
}

/** The attempt's row; an AttemptProtocolError when it does not exist. */
export async function readAttempt(tx: StoreDatabase, runId: string, attempt: number): Promise<RunAttempt> {
  const [row] = await tx
    .select()
    .from(runAttempts)
    .where(and(eq(runAttempts.runId, runId), eq(runAttempts.attempt, attempt)));
  if (!row) throw new AttemptProtocolError(`run ${runId} has no attempt ${attempt}`);
  return row;
}
