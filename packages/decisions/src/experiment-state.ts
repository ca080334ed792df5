import type { EvalPoint, PeerRun } from '@curfew/policies';
import type { Eval, ExperimentRunRow } from '@curfew/store';
import { metricsOfRow, pointOf } from './eval-metrics.js';

/** A live eval of a run, with the policy's point for it (null: the monitored metric is missing). */
interface RunEval {
  step: number;
  seq: number | null;
  point: EvalPoint | null;
}

interface RunView {
  row: ExperimentRunRow;
  finished: boolean;
  /** Live evals in step (and token) order. */
  evals: RunEval[];
}

/**
 * An experiment as its policies see it at an event sequence number (`watermark`): each run's
 * live evals in token order and whether it has ended. The decision service keeps one per
 * experiment and moves it forward with the events above its watermark; replay rebuilds it event
 * by event. Only committed events enter it.
 */
export class ExperimentState {
  watermark = -1;
  private readonly runs = new Map<string, RunView>();
  /** Runs in trial order: the order policies see their peers in. */
  private readonly order: RunView[];

  constructor(
    runs: readonly ExperimentRunRow[],
    private readonly monitor: string,
  ) {
    this.order = [...runs]
      .sort((a, b) => a.trial - b.trial)
      .map((row) => ({ row, finished: false, evals: [] }));
    for (const view of this.order) this.runs.set(view.row.id, view);
  }

  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  /** Adds a live eval (its event); an eval already there for the step is replaced. */
  addEval(
    row: Pick<
      Eval,
      'runId' | 'step' | 'tokens' | 'seq' | 'em' | 'valLoss' | 'perplexity' | 'trainLoss' | 'metrics'
    >,
  ): void {
    const view = this.runs.get(row.runId);
    if (!view) return;
    const entry: RunEval = {
      step: row.step,
      seq: row.seq,
      point: pointOf(row.step, row.tokens, metricsOfRow(row), this.monitor),
    };
    const at = lowerBound(view.evals, row.step);
    if (view.evals[at]?.step === row.step) view.evals[at] = entry;
    else view.evals.splice(at, 0, entry);
  }

  /** Removes an eval a resume discarded, if it is the one that event names. */
  discard(runId: string, step: number, seq: number | null): void {
    const view = this.runs.get(runId);
    if (!view) return;
    const at = lowerBound(view.evals, step);
    if (view.evals[at]?.step === step && view.evals[at]?.seq === seq) view.evals.splice(at, 1);
  }

  end(runId: string): void {
    const view = this.runs.get(runId);
    if (view) view.finished = true;
  }

  /** Step of the run's latest live eval, or null. */
  lastStep(runId: string): number | null {
    return this.runs.get(runId)?.evals.at(-1)?.step ?? null;
  }

  /** The run's own points so far, oldest first. */
  pointsOf(runId: string): EvalPoint[] {
    return (this.runs.get(runId)?.evals ?? []).flatMap((e) => (e.point ? [e.point] : []));
  }

  /**
   * The other runs as a decision at `tokens` sees them: their evals up to the same tokens (a
   * shared token clock, so when each worker's report arrives does not matter), in trial order.
   */
  peersFor(runId: string, tokens: number): PeerRun[] {
    return this.order
      .filter((view) => view.row.id !== runId)
      .map((view) => ({
        id: view.row.id,
        budgetTokens: view.row.budgetTokens ?? 0,
        evals: view.evals.flatMap((e) => (e.point && e.point.tokens <= tokens ? [e.point] : [])),
        features: view.row.config,
        finished: view.finished,
      }));
  }
}

/** Index of the first eval with step >= `step`. */
function lowerBound(evals: readonly RunEval[], step: number): number {
  let lo = 0;
  let hi = evals.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((evals[mid] as RunEval).step < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
