import { and, asc, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { type DecisionRow, decisions, type NewDecisionRow } from './schema/decisions.js';
import { type DiscardedEval, discardedEvals } from './schema/discarded-evals.js';
import { type Eval, evals, type NewEval } from './schema/evals.js';
import { experiments } from './schema/experiments.js';
import { runAttempts } from './schema/run-attempts.js';
import { runs } from './schema/runs.js';

/**
 * The decision service's log in SQL: evals and decisions written together under the
 * experiment's lock, and the reads that rebuild an experiment's state at a sequence number.
 */

/**
 * Writes one reported eval and its decision, and the run's progress (tokens so far), in one
 * statement (data-modifying CTEs): it runs under the experiment's lock, so every round trip it
 * saves is time no other report of the experiment can run.
 */
export async function recordEvalDecision(
  tx: StoreDatabase,
  row: { eval: NewEval & { seq: number; attempt: number }; decision: NewDecisionRow },
): Promise<void> {
  const insertEval = tx.insert(evals).values(row.eval).getSQL();
  const insertDecision = tx.insert(decisions).values(row.decision).getSQL();
  const progress = tx
    .update(runs)
    .set({ tokensUsed: row.eval.tokens, valTokens: row.eval.valTokens ?? 0 })
    .where(eq(runs.id, row.eval.runId))
    .getSQL();
  const lastReport = tx
    .update(runAttempts)
    .set({ lastReportAt: sql`now()` })
    .where(and(eq(runAttempts.runId, row.eval.runId), eq(runAttempts.attempt, row.eval.attempt)))
    .getSQL();
  await tx.execute(
    sql`with eval as (${insertEval}), decision as (${insertDecision}), progress as (${progress}) ${lastReport}`,
  );
}

/** The decision already recorded for (run, attempt, step): a repeated report gets it back. */
export async function findDecision(
  db: StoreDatabase,
  runId: string,
  attempt: number,
  step: number,
): Promise<DecisionRow | undefined> {
  const [row] = await db
    .select()
    .from(decisions)
    .where(and(eq(decisions.runId, runId), eq(decisions.attempt, attempt), eq(decisions.step, step)));
  return row;
}

/**
 * `findDecision` and `latestLiveDecision` in one query: the decision already recorded for
 * (run, attempt, step), if any, and the run's latest decision that stands.
 */
export async function reportDecisions(
  db: StoreDatabase,
  runId: string,
  attempt: number,
  step: number,
): Promise<{ recorded: DecisionRow | undefined; latestLive: DecisionRow | undefined }> {
  const latest = db
    .select({ step: decisions.step })
    .from(decisions)
    .where(and(eq(decisions.runId, runId), isNull(decisions.discardedSeq)))
    .orderBy(desc(decisions.step))
    .limit(1);
  const rows = await db
    .select()
    .from(decisions)
    .where(
      and(
        eq(decisions.runId, runId),
        or(
          and(eq(decisions.attempt, attempt), eq(decisions.step, step)),
          and(isNull(decisions.discardedSeq), eq(decisions.step, sql`(${latest})`)),
        ),
      ),
    );
  const live = rows.filter((r) => r.discardedSeq === null).sort((a, b) => b.step - a.step);
  return { recorded: rows.find((r) => r.attempt === attempt && r.step === step), latestLive: live[0] };
}

/** The run's latest decision that stands (not discarded): the next decision starts from its state. */
export async function latestLiveDecision(db: StoreDatabase, runId: string): Promise<DecisionRow | undefined> {
  const [row] = await db
    .select()
    .from(decisions)
    .where(and(eq(decisions.runId, runId), isNull(decisions.discardedSeq)))
    .orderBy(desc(decisions.step))
    .limit(1);
  return row;
}

/** The experiment's last event sequence number, read without taking its lock. */
export async function currentEventSeq(db: StoreDatabase, experimentId: string): Promise<number> {
  const [row] = await db
    .select({ seq: experiments.eventSeq })
    .from(experiments)
    .where(eq(experiments.id, experimentId));
  return row?.seq ?? 0;
}

export interface ExperimentRunRow {
  id: string;
  trial: number;
  budgetTokens: number | null;
  config: Record<string, unknown>;
  status: (typeof runs.$inferSelect)['status'];
  endSeq: number | null;
  cancelRequestedSeq: number | null;
}

export async function experimentRuns(db: StoreDatabase, experimentId: string): Promise<ExperimentRunRow[]> {
  return db
    .select({
      id: runs.id,
      trial: runs.trial,
      budgetTokens: runs.budgetTokens,
      config: runs.config,
      status: runs.status,
      endSeq: runs.endSeq,
      cancelRequestedSeq: runs.cancelRequestedSeq,
    })
    .from(runs)
    .where(eq(runs.experimentId, experimentId))
    .orderBy(asc(runs.trial));
}

/** A half-open window of an experiment's events: after `after` (-1: from the start) up to `upTo`. */
export interface SeqWindow {
  after: number;
  upTo: number;
}

/** Live evals of the experiment's runs in the window (evals written without a number count as 0). */
export async function liveEvalsIn(db: StoreDatabase, experimentId: string, w: SeqWindow): Promise<Eval[]> {
  const seq = sql`coalesce(${evals.seq}, 0)`;
  const rows = await db
    .select({ e: evals })
    .from(evals)
    .innerJoin(runs, eq(runs.id, evals.runId))
    .where(and(eq(runs.experimentId, experimentId), gt(seq, w.after), lte(seq, w.upTo)))
    .orderBy(asc(evals.runId), asc(evals.step));
  return rows.map((r) => r.e);
}

/** Evals discarded in the window (by the discard's sequence number). */
export async function discardsIn(
  db: StoreDatabase,
  experimentId: string,
  w: SeqWindow,
): Promise<DiscardedEval[]> {
  const rows = await db
    .select({ d: discardedEvals })
    .from(discardedEvals)
    .innerJoin(runs, eq(runs.id, discardedEvals.runId))
    .where(
      and(
        eq(runs.experimentId, experimentId),
        gt(discardedEvals.discardedSeq, w.after),
        lte(discardedEvals.discardedSeq, w.upTo),
      ),
    )
    .orderBy(asc(discardedEvals.discardedSeq), asc(discardedEvals.runId), asc(discardedEvals.step));
  return rows.map((r) => r.d);
}

/** Runs that ended in the window; from the start (`after` -1) also runs ended without a number. */
export async function endsIn(db: StoreDatabase, experimentId: string, w: SeqWindow): Promise<string[]> {
  const inWindow = and(gt(runs.endSeq, w.after), lte(runs.endSeq, w.upTo));
  const legacy = and(
    isNull(runs.endSeq),
    sql`${runs.status} in ('stopped', 'completed', 'failed', 'cancelled')`,
  );
  const rows = await db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.experimentId, experimentId), w.after < 0 ? or(inWindow, legacy) : inWindow));
  return rows.map((r) => r.id);
}

/** Everything replay needs: every decision and eval of an experiment, discarded ones included. */
export async function decisionLogOf(db: StoreDatabase, experimentId: string) {
  const all = { after: -1, upTo: Number.MAX_SAFE_INTEGER };
  const [log, live, discarded, runRows] = await Promise.all([
    db.select().from(decisions).where(eq(decisions.experimentId, experimentId)).orderBy(asc(decisions.seq)),
    liveEvalsIn(db, experimentId, all),
    discardsIn(db, experimentId, all),
    experimentRuns(db, experimentId),
  ]);
  return { decisions: log, evals: live, discarded, runs: runRows };
}
