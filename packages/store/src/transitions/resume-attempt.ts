import { and, desc, eq, getTableColumns, gt, isNull, lte, sql } from 'drizzle-orm';
import type { StoreDatabase } from '../database.js';
import type { ExperimentLock } from '../experiment-lock.js';
import { checkpoints } from '../schema/checkpoints.js';
import { decisions } from '../schema/decisions.js';
import { discardedEvals } from '../schema/discarded-evals.js';
import { evals } from '../schema/evals.js';
import { runAttempts } from '../schema/run-attempts.js';
import { runs } from '../schema/runs.js';
import { readLiveAttempt } from './run-row.js';
import { AttemptProtocolError } from './transition-errors.js';

export interface ResumeInput {
  runId: string;
  attempt: number;
  /** Step of the adopted checkpoint; null: the attempt starts from scratch. */
  step: number | null;
  /** The earlier attempt that wrote the checkpoint (with `step`). */
  fromAttempt: number | null;
}

export interface ResumeResult {
  /** The step the run goes on from (0 from scratch). */
  step: number;
  tokens: number;
  /** Evals moved to discarded_evals (they lay past the checkpoint). */
  discarded: { step: number; seq: number | null }[];
  /** True when this attempt had already resumed from the same checkpoint (a retried request). */
  repeated: boolean;
}

/**
 * The live attempt adopts a checkpoint (or none): evals past its step move to discarded_evals,
 * decisions and checkpoints past it are marked discarded, all with this transaction's sequence
 * number, so the decision log still replays what was decided before. Once per attempt.
 */
export async function resumeAttempt(
  tx: StoreDatabase,
  lock: ExperimentLock,
  input: ResumeInput,
): Promise<ResumeResult> {
  const { attempt: row } = await readLiveAttempt(tx, input.runId, input.attempt);
  const step = input.step ?? 0;
  const tokens = input.step === null ? 0 : await checkpointTokens(tx, input);
  if (row.resumedAt) {
    if (row.resumedFromStep === step && row.resumedFromAttempt === input.fromAttempt)
      return { step, tokens, discarded: [], repeated: true };
    throw new AttemptProtocolError(
      `run ${input.runId}: attempt ${input.attempt} already resumed from step ${row.resumedFromStep}`,
    );
  }
  const discarded = await adopt(tx, lock, input, step, tokens);
  return { step, tokens, discarded, repeated: false };
}

/** Tokens of the checkpoint, which must be one of an earlier attempt that holds no discarded eval. */
async function checkpointTokens(tx: StoreDatabase, input: ResumeInput): Promise<number> {
  const [row] = await tx
    .select({ tokens: checkpoints.tokens, attempt: checkpoints.attempt })
    .from(checkpoints)
    .where(
      and(
        eq(checkpoints.runId, input.runId),
        eq(checkpoints.attempt, input.fromAttempt ?? -1),
        eq(checkpoints.step, input.step ?? -1),
        isNull(checkpoints.discardedSeq),
      ),
    );
  if (!row || (row.attempt ?? input.attempt) >= input.attempt) {
    throw new AttemptProtocolError(
      `run ${input.runId}: no resumable checkpoint of attempt ${input.fromAttempt} at step ${input.step}`,
    );
  }
  return row.tokens;
}

/**
 * The resume's writes in one statement (it runs under the experiment's lock): evals past `step`
 * move to discarded_evals, decisions and checkpoints past it are marked discarded, the attempt
 * records what it resumed and the run's progress goes back to the step. Returns what moved.
 */
async function adopt(
  tx: StoreDatabase,
  lock: ExperimentLock,
  input: ResumeInput,
  step: number,
  tokens: number,
): Promise<ResumeResult['discarded']> {
  const runId = input.runId;
  const columns = sql.raw(
    Object.values(getTableColumns(evals))
      .map((c) => `"${c.name}"`)
      .join(', '),
  );
  const decisionsPast = tx
    .update(decisions)
    .set({ discardedSeq: lock.seq })
    .where(and(eq(decisions.runId, runId), gt(decisions.step, step), isNull(decisions.discardedSeq)));
  const checkpointsPast = tx
    .update(checkpoints)
    .set({ discardedSeq: lock.seq })
    .where(and(eq(checkpoints.runId, runId), gt(checkpoints.step, step), isNull(checkpoints.discardedSeq)));
  const resumed = tx
    .update(runAttempts)
    .set({ resumedFromStep: step, resumedFromAttempt: input.fromAttempt, resumedAt: sql`now()` })
    .where(and(eq(runAttempts.runId, runId), eq(runAttempts.attempt, input.attempt)));
  // The statement's snapshot predates its own delete, so this reads the eval at or before the step.
  const valTokens = tx
    .select({ valTokens: evals.valTokens })
    .from(evals)
    .where(and(eq(evals.runId, runId), lte(evals.step, step)))
    .orderBy(desc(evals.step))
    .limit(1);
  const progress = tx
    .update(runs)
    .set({ tokensUsed: tokens, valTokens: sql`coalesce((${valTokens}), 0)` })
    .where(eq(runs.id, runId));
  const result = await tx.execute(sql`
    with moved as (delete from ${evals} where ${and(eq(evals.runId, runId), gt(evals.step, step))} returning *),
      kept as (
        insert into ${discardedEvals} (${columns}, "discarded_seq", "discarded_by_attempt")
        select ${columns}, ${lock.seq}, ${input.attempt} from moved
      ),
      d as (${decisionsPast.getSQL()}), c as (${checkpointsPast.getSQL()}), a as (${resumed.getSQL()}),
      p as (${progress.getSQL()})
    select step, seq::float8 as seq from moved`);
  return (result as unknown as { rows: { step: number; seq: number | null }[] }).rows.map((r) => ({
    step: Number(r.step),
    seq: r.seq === null ? null : Number(r.seq),
  }));
}
