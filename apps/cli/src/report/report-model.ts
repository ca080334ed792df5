import type { Experiment, Run, RunStatus } from '@curfew/store';

/** One eval as the report draws it. */
export interface EvalPoint {
  step: number;
  /** Training tokens up to this eval. */
  tokens: number;
  em: number | null;
}

/** A run as stored, with its evals in step order. */
export interface StoredRun extends Run {
  evals: EvalPoint[];
}

/** One run as the report shows it. */
export interface RunRow {
  runId: string;
  trial: number;
  status: RunStatus;
  stopReason: string | null;
  error: string | null;
  config: Record<string, unknown>;
  /** Queued or running: its numbers are "so far", taken from its evals. */
  unfinished: boolean;
  tokensUsed: number;
  budgetTokens: number | null;
  /** 1 − tokens used / budget; null while unfinished or when the budget is unknown. */
  tokensSaved: number | null;
  bestStep: number | null;
  deployedEm: number | null;
  evals: EvalPoint[];
}

export interface ReportTotals {
  runs: number;
  unfinishedRuns: number;
  tokensUsed: number;
  /** Sum of the runs' budgets; the stored experiment budget when some run has none. */
  budgetTokens: number | null;
  tokensSaved: number | null;
  bestEm: number | null;
  bestRunId: string | null;
}

export interface Report {
  experiment: Experiment;
  runs: RunRow[];
  totals: ReportTotals;
}

const isUnfinished = (status: RunStatus) => status === 'queued' || status === 'running';

/** The eval a restore-best run would ship: the first with the highest EM. */
export function bestEval(evals: readonly EvalPoint[]): EvalPoint | null {
  let best: EvalPoint | null = null;
  for (const e of evals) if (e.em !== null && (best === null || e.em > (best.em as number))) best = e;
  return best;
}

/**
 * Ended runs show what the worker stored. A queued or running run has no summary yet (its stored
 * tokens and deployed EM are placeholders), so the report reads them from its evals so far.
 */
export function runRow(run: StoredRun): RunRow {
  const unfinished = isUnfinished(run.status);
  const best = unfinished ? bestEval(run.evals) : null;
  const tokensUsed = unfinished ? Math.max(run.tokensUsed, run.evals.at(-1)?.tokens ?? 0) : run.tokensUsed;
  const budget = run.budgetTokens;
  return {
    runId: run.id,
    trial: run.trial,
    status: run.status,
    stopReason: run.stopReason,
    error: run.error,
    config: run.config,
    unfinished,
    tokensUsed,
    budgetTokens: budget,
    tokensSaved: !unfinished && budget !== null && budget > 0 ? 1 - tokensUsed / budget : null,
    bestStep: unfinished ? (best?.step ?? run.bestStep) : run.bestStep,
    deployedEm: unfinished ? (best?.em ?? run.deployedEm) : run.deployedEm,
    evals: run.evals,
  };
}

/** Totals as the experiment_summary view defines them (best: highest EM, then fewer tokens, then lower trial). */
export function totalsOf(experiment: Experiment, rows: readonly RunRow[]): ReportTotals {
  const tokensUsed = rows.length > 0 ? rows.reduce((sum, r) => sum + r.tokensUsed, 0) : experiment.tokensUsed;
  const budgetTokens =
    rows.length > 0 && rows.every((r) => r.budgetTokens !== null)
      ? rows.reduce((sum, r) => sum + (r.budgetTokens ?? 0), 0)
      : experiment.budgetTokens;
  const ranked = rows
    .filter((r) => r.deployedEm !== null)
    .sort(
      (a, b) =>
        (b.deployedEm as number) - (a.deployedEm as number) ||
        a.tokensUsed - b.tokensUsed ||
        a.trial - b.trial,
    );
  const best = ranked[0];
  return {
    runs: rows.length,
    unfinishedRuns: rows.filter((r) => r.unfinished).length,
    tokensUsed,
    budgetTokens,
    tokensSaved: budgetTokens !== null && budgetTokens > 0 ? 1 - tokensUsed / budgetTokens : null,
    bestEm: best ? best.deployedEm : experiment.bestEm,
    bestRunId: best ? best.runId : experiment.bestRunId,
  };
}

export function buildReport(experiment: Experiment, runs: readonly StoredRun[]): Report {
  const rows = [...runs].sort((a, b) => a.trial - b.trial).map(runRow);
  return { experiment, runs: rows, totals: totalsOf(experiment, rows) };
}
