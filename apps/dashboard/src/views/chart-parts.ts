import { defaultModeFor } from '@curfew/spec';
import { alignCurves, type CurveGrid, type CurvePoint } from '../curves/align-curves';
import type { CurveChart, EndMarker, SavingsPoint } from '../shared/chart-data';

const LABELS: Record<string, string> = {
  em: 'exact match (EM)',
  loss: 'validation loss',
  train_loss: 'training loss',
  perplexity: 'perplexity',
  lr: 'learning rate',
};

/** How a metric reads on an axis. */
export function metricLabel(metric: string): string {
  return LABELS[metric] ?? metric;
}

/** The loss chart beside the monitored metric: validation loss, or training loss when that is the monitor. */
export function lossMetricFor(monitor: string): string {
  return monitor === 'loss' ? 'train_loss' : 'loss';
}

/** The metric an experiment's policy watches, and which way is better, from its spec. */
export function monitorOf(spec: unknown): { monitor: string; mode: 'max' | 'min' } {
  const policy = (spec as { policy?: { name?: string; monitor?: unknown; mode?: unknown } } | null)?.policy;
  const monitor = policy?.name !== 'none' && typeof policy?.monitor === 'string' ? policy.monitor : 'em';
  const mode = policy?.mode === 'min' || policy?.mode === 'max' ? policy.mode : defaultModeFor(monitor);
  return { monitor, mode };
}

/** What the charts need of a run (the dashboard's run rows and the report's have it). */
export interface ChartRun {
  id: string;
  trial: number;
  status: string;
  unfinished: boolean;
  stopReason: string | null;
  error: string | null;
  budgetTokens: number | null;
  tokensSaved: number | null;
  deployedEm: number | null;
}

/** Why a run's curve ends where it does. */
function reasonOf(run: ChartRun): string | null {
  if (run.unfinished) return null;
  if (run.stopReason) return run.stopReason;
  if (run.status === 'failed') return run.error ?? 'failed';
  return run.status === 'completed' ? 'budget' : run.status;
}

/** The last point of every run that has one. */
export function endMarkers(runs: readonly ChartRun[], pointsOf: (runId: string) => readonly CurvePoint[]) {
  const markers: EndMarker[] = [];
  for (const run of runs) {
    const last = pointsOf(run.id).at(-1);
    if (!last) continue;
    markers.push({
      runId: run.id,
      trial: run.trial,
      tokens: last.tokens,
      value: last.value,
      status: run.status,
      reason: reasonOf(run),
      live: run.unfinished,
    });
  }
  return markers;
}

export interface ChartInput {
  metric: string;
  mode: 'max' | 'min';
  runs: readonly ChartRun[];
  pointsOf: (runId: string) => readonly CurvePoint[];
  grid: CurveGrid;
}

/** One chart: the runs' curves on `grid`, where each ended, the budgets. */
export function curveChart({ metric, mode, runs, pointsOf, grid }: ChartInput): CurveChart {
  const budgets = [
    ...new Set(runs.map((r) => r.budgetTokens).filter((b): b is number => b !== null && b > 0)),
  ];
  return {
    metric,
    label: metricLabel(metric),
    mode,
    curves: alignCurves(
      runs.map((r) => ({ runId: r.id, points: pointsOf(r.id) })),
      grid,
    ),
    markers: endMarkers(runs, pointsOf),
    budgets: budgets.sort((a, b) => a - b),
  };
}

/** Finished runs (completed, or stopped by the policy) with what they saved and the EM they ship. */
export function savingsPoints(runs: readonly ChartRun[]): SavingsPoint[] {
  return runs.flatMap((r) =>
    (r.status === 'completed' || r.status === 'stopped') && r.tokensSaved !== null && r.deployedEm !== null
      ? [
          {
            runId: r.id,
            trial: r.trial,
            status: r.status,
            tokensSaved: r.tokensSaved,
            deployedEm: r.deployedEm,
          },
        ]
      : [],
  );
}
