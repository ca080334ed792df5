import type { CurveChart } from './chart-data';
import type { ExperimentDelta, ExperimentView } from './views';

/** `chart` with the series and markers of the `changed` runs replaced by those of `update`, in trial order. */
function mergeChart(
  chart: CurveChart,
  update: CurveChart,
  changed: ReadonlySet<string>,
  order: Map<string, number>,
) {
  const rank = (runId: string) => order.get(runId) ?? Number.MAX_SAFE_INTEGER;
  const byRank = <T extends { runId: string }>(a: T, b: T) => rank(a.runId) - rank(b.runId);
  const keep = <T extends { runId: string }>(list: readonly T[]) => list.filter((s) => !changed.has(s.runId));
  const series = [...keep(chart.curves.series), ...update.curves.series].sort(byRank);
  return {
    ...chart,
    curves: { ...chart.curves, series, sourcePoints: series.reduce((sum, s) => sum + s.points, 0) },
    markers: [...keep(chart.markers), ...update.markers].sort(byRank),
    budgets: [...new Set([...chart.budgets, ...update.budgets])].sort((a, b) => a - b),
  };
}

/**
 * The view after a delta: the changed runs replaced (new ones added) in rows, curves and markers;
 * the experiment's row and the savings as the delta has them. Deltas come only while the grids
 * stay put (a grid change comes as a snapshot), so the kept series still fit `view`'s grid.
 */
export function applyExperimentDelta(view: ExperimentView, delta: ExperimentDelta): ExperimentView {
  const changed = new Set(delta.changed);
  const rows = new Map(view.runs.map((r) => [r.id, r]));
  for (const r of delta.runs) rows.set(r.id, r);
  const runs = [...rows.values()].sort((a, b) => a.trial - b.trial);
  const order = new Map(runs.map((r, i) => [r.id, i]));
  return {
    experiment: delta.experiment,
    runs,
    metric: mergeChart(view.metric, delta.metric, changed, order),
    loss: mergeChart(view.loss, delta.loss, changed, order),
    savings: delta.savings,
  };
}
