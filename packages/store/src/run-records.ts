import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { checkpoints } from './schema/checkpoints.js';
import { type Eval, evals } from './schema/evals.js';
import { experiments, type NewExperiment } from './schema/experiments.js';
import { type NewRun, type RunStatus, runs } from './schema/runs.js';

export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError';
}

/** Statuses after which a run never trains again. */
export const FINAL_RUN_STATUSES = [
  'stopped',
  'completed',
  'failed',
  'cancelled',
] as const satisfies RunStatus[];

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

/**
 * Marks a run as running on `backend` and counts the attempt. Returns the status it had, so a
 * worker can skip a run that was cancelled or already ended.
 */
export async function markRunRunning(db: StoreDatabase, runId: string, backend: string): Promise<RunStatus> {
  const before = await runStatus(db, runId);
  if ((FINAL_RUN_STATUSES as readonly string[]).includes(before)) return before;
  await db
    .update(runs)
    .set({
      status: 'running',
      backend,
      attempts: sql`${runs.attempts} + 1`,
      startedAt: sql`coalesce(${runs.startedAt}, now())`,
    })
    .where(and(eq(runs.id, runId), ne(runs.status, 'cancelled')));
  return before;
}

export interface RunOutcome {
  status: Extract<RunStatus, 'stopped' | 'completed' | 'cancelled'>;
  stopReason: string | null;
  tokensUsed: number;
  valTokens: number;
  bestStep: number | null;
  bestTokens: number | null;
  deployedEm: number | null;
}

/** Stores how a run ended: status, stop reason, tokens used, best step and deployed EM. */
export async function finishRun(db: StoreDatabase, runId: string, outcome: RunOutcome): Promise<void> {
  await db
    .update(runs)
    .set({ ...outcome, error: null, finishedAt: sql`now()` })
    .where(eq(runs.id, runId));
}

/** Stores a failure and its reason on the run. */
export async function failRun(db: StoreDatabase, runId: string, error: string): Promise<void> {
  await db.update(runs).set({ status: 'failed', error, finishedAt: sql`now()` }).where(eq(runs.id, runId));
}

/** Asks a run to stop: queued runs never start, running ones stop at their next eval. */
export async function cancelRuns(db: StoreDatabase, runIds: readonly string[]): Promise<number> {
  if (runIds.length === 0) return 0;
  const rows = await db
    .update(runs)
    .set({ status: 'cancelled', finishedAt: sql`now()` })
    .where(and(inArray(runs.id, [...runIds]), inArray(runs.status, ['queued', 'running'])))
    .returning({ id: runs.id });
  return rows.length;
}

export interface CheckpointRecord {
  runId: string;
  step: number;
  tokens: number;
  path: string;
  isBest: boolean;
  bytes: number;
}

/** Records a checkpoint's metadata (one row per run and step; a best flag once set stays set). */
export async function recordCheckpoint(db: StoreDatabase, record: CheckpointRecord): Promise<void> {
  await db
    .insert(checkpoints)
    .values(record)
    .onConflictDoUpdate({
      target: [checkpoints.runId, checkpoints.step],
      set: {
        isBest: sql`${checkpoints.isBest} or excluded.is_best`,
        path: sql`case when ${checkpoints.isBest} and not excluded.is_best then ${checkpoints.path} else excluded.path end`,
        bytes: sql`excluded.bytes`,
      },
    });
}

export interface PeerRunRecord {
  runId: string;
  budgetTokens: number | null;
  status: RunStatus;
  config: Record<string, unknown>;
  evals: Eval[];
}

/** The other runs of an experiment with their evals so far (for cross-run policies). */
export async function peerRuns(
  db: StoreDatabase,
  experimentId: string,
  excludeRunId: string,
): Promise<PeerRunRecord[]> {
  const peerRows = await db
    .select({ runId: runs.id, budgetTokens: runs.budgetTokens, status: runs.status, config: runs.config })
    .from(runs)
    .where(and(eq(runs.experimentId, experimentId), ne(runs.id, excludeRunId)))
    .orderBy(asc(runs.trial));
  if (peerRows.length === 0) return [];
  const byRun = await evalsByRun(
    db,
    peerRows.map((r) => r.runId),
  );
  return peerRows.map((r) => ({ ...r, evals: byRun.get(r.runId) ?? [] }));
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
