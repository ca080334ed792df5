import {
  axisTo,
  chartSvg,
  emptyChartSvg,
  maxOf,
  niceCeil,
  niceTicks,
  type Plot,
  plotOf,
  runColor,
} from './chart';
import { formatEm, formatPercent, formatTick } from './format';
import { html, type SafeHtml } from './html';
import type { RunRow } from './report-model';

const ID = 'savings-scatter';
const TITLE = 'Tokens saved versus deployed EM, one point per finished run';

/** Runs that trained to the end (completed, or stopped early by the policy) with a budget and an EM. */
export function scatterRuns(runs: readonly RunRow[]): { run: RunRow; index: number }[] {
  return runs
    .map((run, index) => ({ run, index }))
    .filter(
      ({ run }) =>
        (run.status === 'completed' || run.status === 'stopped') &&
        run.tokensSaved !== null &&
        run.deployedEm !== null,
    );
}

function point(run: RunRow, index: number, plot: Plot): SafeHtml {
  const x = plot.x(run.tokensSaved as number);
  const y = plot.y(run.deployedEm as number);
  const color = runColor(index);
  const title = `trial ${run.trial} (${run.runId}), ${run.status}: ${formatPercent(run.tokensSaved)} tokens saved, deployed EM ${formatEm(run.deployedEm)}`;
  return html`<g class="run" data-run="${run.runId}"><circle class="point" cx="${x}" cy="${y}" r="5" fill="${color}"><title>${title}</title></circle><text class="run-label" x="${x + 8}" y="${y - 8}" fill="${color}">t${run.trial}</text></g>`;
}

/** The "tokens saved versus EM" scatter: x = fraction of the budget saved, y = deployed EM. */
export function savingsScatter(runs: readonly RunRow[]): SafeHtml {
  const shown = scatterRuns(runs);
  if (shown.length === 0) {
    const anyEvals = runs.some((r) => r.evals.length > 0);
    return emptyChartSvg(ID, TITLE, anyEvals ? 'no finished runs yet' : 'no evals yet');
  }
  const x = {
    min: 0,
    max: 1,
    ticks: niceTicks(0, 1),
    format: (v: number) => formatPercent(v, 0),
    label: 'tokens saved (fraction of budget)',
  };
  const emTop = Math.min(1, niceCeil(maxOf(shown.map(({ run }) => run.deployedEm as number)) * 1.05));
  const y = axisTo(emTop, 'deployed EM', formatTick);
  const plot = plotOf(x, y);
  return chartSvg(ID, TITLE, x, y, html`${shown.map(({ run, index }) => point(run, index, plot))}`);
}
