import { and, asc, desc, eq, inArray, like, sql } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { ExperimentNotFoundError } from './errors.js';
import { evals } from './schema/evals.js';
import { type Experiment, experiments } from './schema/experiments.js';
import { FINAL_RUN_STATUSES, type Run, runs } from './schema/runs.js';

export interface NewSubmission {
  name: string;
  spec: Record<string, unknown>;
  taskFamily: string;
  policy: string;
  tolerance: number | null;
  priority: number;
  maxParallel: number;
}

/** Serialises id allocation for submissions of the same name (any advisory key works; this is ours). */
const SUBMIT_LOCK_KEY = 0x63757266;

/**
 * Stores a submitted experiment in one transaction and returns its id, `<name>-<n>` with n one
 * more than the experiments of that name so far (kv-qa-sweep-3).
 */
export async function submitExperiment(db: StoreDatabase, submission: NewSubmission): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SUBMIT_LOCK_KEY})`);
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(experiments)
      .where(like(experiments.id, `${submission.name}-%`));
    const id = `${submission.name}-${(row?.n ?? 0) + 1}`;
    await tx.insert(experiments).values({ id, ...submission, status: 'pending' });
    return id;
  });
}

export async function getExperiment(db: StoreDatabase, id: string): Promise<Experiment> {
  const [row] = await db.select().from(experiments).where(eq(experiments.id, id));
  if (!row) throw new ExperimentNotFoundError(`experiment ${id} does not exist (curfew status lists them)`);
  return row;
}

export async function listExperiments(db: StoreDatabase, limit = 50): Promise<Experiment[]> {
  return db.select().from(experiments).orderBy(desc(experiments.createdAt)).limit(limit);
}

export async function experimentsWithStatus(
  db: StoreDatabase,
  statuses: Experiment['status'][],
): Promise<Experiment[]> {
  return db
    .select()
    .from(experiments)
    .where(inArray(experiments.status, statuses))
    .orderBy(asc(experiments.createdAt));
}

export async function runsOf(db: StoreDatabase, experimentId: string): Promise<Run[]> {
  return db.select().from(runs).where(eq(runs.experimentId, experimentId)).orderBy(asc(runs.trial));
}

export interface ExperimentTotals {
  tokensUsed: number;
  budgetTokens: number;
  bestEm: number | null;
  bestRunId: string | null;
}

/**
 * Marks an experiment done when every run has ended (failed when all of them failed), with its
 * totals; returns the totals, or null while runs are still queued or running.
 */
export async function closeExperimentIfEnded(
  db: StoreDatabase,
  id: string,
): Promise<ExperimentTotals | null> {
  const all = await runsOf(db, id);
  if (all.length === 0 || all.some((r) => !(FINAL_RUN_STATUSES as readonly string[]).includes(r.status)))
    return null;
  let best: Run | null = null;
  for (const run of all)
    if (run.deployedEm !== null && (best === null || run.deployedEm > (best.deployedEm ?? -1))) best = run;
  const totals: ExperimentTotals = {
    tokensUsed: all.reduce((sum, r) => sum + r.tokensUsed, 0),
    budgetTokens: all.reduce((sum, r) => sum + (r.budgetTokens ?? 0), 0),
    bestEm: best?.deployedEm ?? null,
    bestRunId: best?.id ?? null,
  };
  const failed = all.every((r) => r.status === 'failed');
  const cancelled = all.every((r) => r.status === 'cancelled');
  await db
    .update(experiments)
    .set({ ...totals, status: failed ? 'failed' : cancelled ? 'cancelled' : 'done', finishedAt: sql`now()` })
    .where(and(eq(experiments.id, id), inArray(experiments.status, ['pending', 'running'])));
  return totals;
}

export interface RunProgress extends Run {
  /** The run's latest eval, when it has one. */
  lastEval: { step: number; tokens: number; em: number | null; lr: number | null } | null;
}

/** Every run of an experiment with its latest eval (for progress bars and `curfew watch`). */
export async function runProgress(db: StoreDatabase, experimentId: string): Promise<RunProgress[]> {
  const all = await runsOf(db, experimentId);
  if (all.length === 0) return [];
  const latest = await db
    .selectDistinctOn([evals.runId], {
      runId: evals.runId,
      step: evals.step,
      tokens: evals.tokens,
      em: evals.em,
      lr: evals.lr,
    })
    .from(evals)
    .where(
      inArray(
        evals.runId,
        all.map((r) => r.id),
      ),
    )
    .orderBy(evals.runId, desc(evals.step));
  const byRun = new Map(latest.map((e) => [e.runId, e]));
  return all.map((run) => {
    const e = byRun.get(run.id);
    return { ...run, lastEval: e ? { step: e.step, tokens: e.tokens, em: e.em, lr: e.lr } : null };
  });
}
