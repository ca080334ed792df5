import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { RunNotFoundError } from './errors.js';
import { lockExperimentOfRun } from './experiment-lock.js';
import { checkpoints } from './schema/checkpoints.js';
import { type Eval, evals } from './schema/evals.js';
import { experiments, type NewExperiment } from './schema/experiments.js';
import { type NewRun, type RunStatus, runs } from './schema/runs.js';
import type { RunSummaryFields } from './transitions/end-attempt.js';
import { transitionRun } from './transitions/run-row.js';

/**
 * Stores an experiment and its runs in one transaction; idempotent (rows that exist are kept),
 * so a scheduler restarted mid-expansion creates no duplicates.
 */
export async function insertExperimentRuns(
  db: StoreDatabase,
  experiment: NewExperiment,
  newRuns: readonly NewRun[],
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(experiments).values(experiment).onConflictDoNothing({ target: experiments.id });
    if (newRuns.length > 0)
      await tx
        .insert(runs)
        .values([...newRuns])
        .onConflictDoNothing({ target: runs.id });
  });
}

/** The run's status, or a RunNotFoundError. */
export async function runStatus(db: StoreDatabase, runId: string): Promise<RunStatus> {
  const [row] = await db.select({ status: runs.status }).from(runs).where(eq(runs.id, runId));
  if (!row) throw new RunNotFoundError(`run ${runId} does not exist`);
  return row.status;
}

export type RunOutcome = RunSummaryFields;

/**
 * Ends a run that has not ended, with its summary, outside any attempt (imports, fixtures):
 * workers end runs through the decision service, fenced by their attempt. Returns whether it applied.
 */
export async function finishRun(db: StoreDatabase, runId: string, outcome: RunOutcome): Promise<boolean> {
  return db.transaction(async (tx) => {
    const lock = await lockExperimentOfRun(tx, runId);
    const { status, ...fields } = outcome;
    return transitionRun(tx, {
      runId,
      from: ['queued', 'running'],
      to: status,
      seq: lock.seq,
      set: { ...fields, error: null },
    });
  });
}

export interface CheckpointRecord {
  runId: string;
  /** The attempt that wrote it. */
  attempt: number;
  step: number;
  tokens: number;
  path: string;
  isBest: boolean;
  bytes: number;
}

/** Records a checkpoint's metadata (one row per run, attempt and step; a best flag once set stays set). */
export async function recordCheckpoint(db: StoreDatabase, record: CheckpointRecord): Promise<void> {
  await db
    .insert(checkpoints)
    .values(record)
    .onConflictDoUpdate({
      target: [checkpoints.runId, checkpoints.attempt, checkpoints.step],
      set: {
        isBest: sql`${checkpoints.isBest} or excluded.is_best`,
        path: sql`case when ${checkpoints.isBest} and not excluded.is_best then ${checkpoints.path} else excluded.path end`,
        bytes: sql`excluded.bytes`,
      },
    });
}

export interface HistoryRun {
  runId: string;
  experimentId: string;
  /** The experiment's task: family and params (from its spec). */
  task: { family: string; params: Record<string, unknown> };
  config: Record<string, unknown>;
  budgetTokens: number;
  evals: Eval[];
}

/**
 * Runs that trained to their full budget, with their evals: the history learned stopping
 * policies learn from (a run stopped early has no label for what the rest of its budget held).
 */
export async function historyRuns(db: StoreDatabase): Promise<HistoryRun[]> {
  const rows = await db
    .select({
      runId: runs.id,
      experimentId: runs.experimentId,
      config: runs.config,
      budgetTokens: runs.budgetTokens,
      spec: experiments.spec,
    })
    .from(runs)
    .innerJoin(experiments, eq(experiments.id, runs.experimentId))
    .where(eq(runs.status, 'completed'))
    .orderBy(asc(runs.id));
  if (rows.length === 0) return [];
  const byRun = await evalsByRun(
    db,
    rows.map((r) => r.runId),
  );
  return rows.flatMap((r) => {
    const task = (r.spec as { task?: { family?: string; params?: Record<string, unknown> } }).task;
    const list = byRun.get(r.runId) ?? [];
    if (!task?.family || list.length === 0) return [];
    const budgetTokens = r.budgetTokens ?? (list.at(-1) as Eval).tokens;
    return [
      {
        runId: r.runId,
        experimentId: r.experimentId,
        task: { family: task.family, params: task.params ?? {} },
        config: r.config,
        budgetTokens,
        evals: list,
      },
    ];
  });
}

/** The evals of some runs, in step order, by run id. */
async function evalsByRun(db: StoreDatabase, runIds: readonly string[]): Promise<Map<string, Eval[]>> {
  const byRun = new Map<string, Eval[]>();
  if (runIds.length === 0) return byRun;
  const rows = await db
    .select()
    .from(evals)
    .where(inArray(evals.runId, [...runIds]))
    .orderBy(asc(evals.runId), asc(evals.step));
  for (const row of rows) {
    const list = byRun.get(row.runId);
    if (list) list.push(row);
    else byRun.set(row.runId, [row]);
  }
  return byRun;
}

/** A run's stored evals (the live ones: a resume moves those past its checkpoint away), in step order. */
export async function evalsOfRun(db: StoreDatabase, runId: string): Promise<Eval[]> {
  return db.select().from(evals).where(eq(evals.runId, runId)).orderBy(asc(evals.step));
}
