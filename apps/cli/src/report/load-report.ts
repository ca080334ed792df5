import { evals, getExperiment, runsOf, type StoreDatabase } from '@curfew/store';
import { asc, inArray } from 'drizzle-orm';
import { buildReport, type EvalPoint, type Report } from './report-model';

/** Reads one experiment, its runs and their evals. An unknown id: ExperimentNotFoundError. */
export async function loadReport(db: StoreDatabase, experimentId: string): Promise<Report> {
  const experiment = await getExperiment(db, experimentId);
  const runRows = await runsOf(db, experimentId);
  const byRun = new Map<string, EvalPoint[]>(runRows.map((r) => [r.id, []]));
  if (runRows.length > 0) {
    const evalRows = await db
      .select({ runId: evals.runId, step: evals.step, tokens: evals.tokens, em: evals.em })
      .from(evals)
      .where(inArray(evals.runId, [...byRun.keys()]))
      .orderBy(asc(evals.runId), asc(evals.step));
    for (const { runId, ...point } of evalRows) byRun.get(runId)?.push(point);
  }
  return buildReport(
    experiment,
    runRows.map((run) => ({ ...run, evals: byRun.get(run.id) ?? [] })),
  );
}
