import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { StoreDatabase } from './database.js';
import { runStatus } from './run-records.js';
import { type Eval, evals } from './schema/evals.js';
import { experiments } from './schema/experiments.js';
import { FINAL_RUN_STATUSES, type RunStatus, runs } from './schema/runs.js';

/** Unfenced run-state writes the worker and scheduler used before the decision service; going away. */

export async function markRunRunning(db: StoreDatabase, runId: string, backend: string): Promise<RunStatus> {
  const before = await runStatus(db, runId);
  if ((FINAL_RUN_STATUSES as readonly string[]).includes(before)) return before;
  await db
    .update(runs)
    .set({ status: 'running', backend, attempts: sql`${runs.attempts} + 1` })
    .where(and(eq(runs.id, runId), ne(runs.status, 'cancelled')));
  return before;
}

export async function failRun(db: StoreDatabase, runId: string, error: string): Promise<void> {
  await db.update(runs).set({ status: 'failed', error, finishedAt: sql`now()` }).where(eq(runs.id, runId));
}

export async function cancelRunIds(db: StoreDatabase, runIds: readonly string[]): Promise<number> {
  if (runIds.length === 0) return 0;
  const rows = await db
    .update(runs)
    .set({ status: 'cancelled', stopReason: 'cancelled', finishedAt: sql`now()` })
    .where(and(inArray(runs.id, [...runIds]), inArray(runs.status, ['queued', 'running'])))
    .returning({ id: runs.id });
  return rows.length;
}

export async function setExperimentStatus(
  db: StoreDatabase,
  id: string,
  status: (typeof experiments.$inferSelect)['status'],
  budgetTokens?: number,
) {
  await db
    .update(experiments)
    .set({ status, ...(budgetTokens !== undefined ? { budgetTokens } : {}) })
    .where(eq(experiments.id, id));
}

export interface PeerRunRecord {
  runId: string;
  budgetTokens: number | null;
  status: RunStatus;
  config: Record<string, unknown>;
  evals: Eval[];
}

export async function peerRuns(db: StoreDatabase, experimentId: string, excludeRunId: string) {
  const peerRows = await db
    .select({ runId: runs.id, budgetTokens: runs.budgetTokens, status: runs.status, config: runs.config })
    .from(runs)
    .where(and(eq(runs.experimentId, experimentId), ne(runs.id, excludeRunId)))
    .orderBy(asc(runs.trial));
  const rows = await db
    .select()
    .from(evals)
    .where(inArray(evals.runId, peerRows.length ? peerRows.map((r) => r.runId) : ['']))
    .orderBy(asc(evals.runId), asc(evals.step));
  return peerRows.map((r): PeerRunRecord => ({ ...r, evals: rows.filter((e) => e.runId === r.runId) }));
}
