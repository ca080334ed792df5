import { getExperiment, type StoreDatabase } from '@curfew/store';
import { alignCurves, type CurvePoint, chooseGrid } from '../curves/align-curves';
import { curvePoints } from '../data/curve-points';
import { runDetail } from '../data/run-detail';
import { runRow } from '../data/run-rows';
import type { CurveChart } from '../shared/chart-data';
import type { RunView } from '../shared/views';
import { curveChart, endMarkers, metricLabel, monitorOf } from './chart-parts';

interface Line {
  label: string;
  points: CurvePoint[];
}

/** A chart of one run's lines (validation and training loss; the LR), each its own series. */
function linesChart(runId: string, metric: string, lines: Line[], budget: number | null): CurveChart {
  const runs = lines.map((l) => ({ runId, label: l.label, points: l.points }));
  const grid = chooseGrid(runs, { maxTokens: budget ?? 0 });
  return {
    metric,
    label: metricLabel(metric),
    mode: 'min',
    curves: alignCurves(runs, grid),
    markers: [],
    budgets: budget ? [budget] : [],
  };
}

/** Everything the run page shows; null when there is no such run. */
export async function runView(db: StoreDatabase, runId: string): Promise<RunView | null> {
  const run = await runRow(db, runId);
  if (!run) return null;
  const experiment = await getExperiment(db, run.experimentId);
  const { monitor, mode } = monitorOf(experiment.spec);
  const metrics = [monitor, 'loss', 'train_loss', 'lr'];
  const [metricPoints = [], valLoss = [], trainLoss = [], lr = []] =
    (await curvePoints(db, run.experimentId, metrics, [runId])).get(runId) ?? [];
  const metricGrid = chooseGrid([{ runId, points: metricPoints }], { maxTokens: run.budgetTokens ?? 0 });
  const loss = linesChart(
    runId,
    'loss',
    [
      { label: 'validation loss', points: valLoss },
      { label: 'training loss', points: trainLoss },
    ],
    run.budgetTokens,
  );
  loss.markers = endMarkers([run], () => valLoss);
  return {
    run,
    experiment: { id: experiment.id, policy: experiment.policy, monitor, mode },
    metric: curveChart({
      metric: monitor,
      mode,
      runs: [run],
      pointsOf: () => metricPoints,
      grid: metricGrid,
    }),
    loss,
    lr: linesChart(runId, 'lr', [{ label: 'learning rate', points: lr }], run.budgetTokens),
    ...(await runDetail(db, run)),
  };
}
