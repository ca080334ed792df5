import {
  type Axis,
  axisTo,
  CHART,
  chartSvg,
  emptyChartSvg,
  maxOf,
  niceCeil,
  type Plot,
  plotOf,
  runColor,
} from './chart';
import { formatCount, formatEm, formatTick, formatTokensShort } from './format';
import { html, type SafeHtml } from './html';
import type { EvalPoint, RunRow } from './report-model';

const ID = 'learning-curves';
const TITLE = 'Learning curves: EM against training tokens';

type Point = EvalPoint & { em: number };

const withEm = (run: RunRow): Point[] => run.evals.filter((e): e is Point => e.em !== null);

/** What the end marker of a run says when hovered. */
function endTitle(run: RunRow, last: Point): string {
  const where = `${formatCount(last.tokens)} tokens, EM ${formatEm(last.em)}`;
  if (run.unfinished) return `trial ${run.trial} ${run.status}: last eval at ${where}`;
  const why = run.stopReason ?? run.error ?? run.status;
  return `trial ${run.trial} ${run.status} (${why}): last eval at ${where}`;
}

/** One run's curve through its evals with an EM. */
function runCurve(run: RunRow, index: number, plot: Plot): SafeHtml {
  const points = withEm(run);
  if (points.length === 0) return html``;
  const coords = points.map((p) => `${plot.x(p.tokens)},${plot.y(p.em)}`).join(' ');
  return html`<polyline class="curve" data-run="${run.runId}" points="${coords}" stroke="${runColor(index)}"><title>trial ${run.trial} (${run.runId})</title></polyline>`;
}

/** A marker where the run stopped (hollow while it still trains) and its trial label. */
function runEnd(run: RunRow, index: number, plot: Plot): SafeHtml {
  const last = withEm(run).at(-1);
  if (!last) return html``;
  const color = runColor(index);
  const x = plot.x(last.tokens);
  const y = plot.y(last.em);
  const fill = run.unfinished ? '#ffffff' : color;
  return html`<circle class="stop-marker" data-run="${run.runId}" cx="${x}" cy="${y}" r="4.5" fill="${fill}" stroke="${color}"><title>${endTitle(run, last)}</title></circle><text class="run-label" x="${x + 7}" y="${y - 7}" fill="${color}">t${run.trial}</text>`;
}

/** A dashed vertical line at every distinct run budget. */
function budgetLines(runs: readonly RunRow[], plot: Plot): SafeHtml {
  const budgets = [
    ...new Set(runs.map((r) => r.budgetTokens).filter((b): b is number => b !== null && b > 0)),
  ];
  const bottom = CHART.height - CHART.bottom;
  return html`${budgets.map((b) => {
    const x = plot.x(b);
    const label = budgets.length === 1 ? 'budget' : `budget ${formatTokensShort(b)}`;
    return html`<line class="budget" x1="${x}" y1="${CHART.top}" x2="${x}" y2="${bottom}"><title>budget: ${formatCount(b)} tokens per run</title></line><text class="budget-label" x="${x - 4}" y="${CHART.top + 12}" text-anchor="end">${label}</text>`;
  })}`;
}

function axes(runs: readonly RunRow[]): { x: Axis; y: Axis } {
  const tokens = runs.flatMap((r) => [r.budgetTokens ?? 0, ...r.evals.map((e) => e.tokens)]);
  const ems = runs.flatMap((r) => withEm(r).map((p) => p.em));
  // EM lives in [0, 1]; a little headroom keeps the best point off the frame.
  return {
    x: axisTo(maxOf(tokens), 'training tokens', formatTokensShort),
    y: axisTo(Math.min(1, niceCeil(maxOf(ems) * 1.05)), 'exact match (EM)', formatTick),
  };
}

/** The learning-curves chart: one polyline per run with evals, the budget as a vertical line. */
export function learningCurves(runs: readonly RunRow[]): SafeHtml {
  if (!runs.some((r) => withEm(r).length > 0)) return emptyChartSvg(ID, TITLE, 'no evals yet');
  const { x, y } = axes(runs);
  const plot = plotOf(x, y);
  // Markers and labels go on top of every curve, so no later curve hides them.
  const curves = runs.map((r, i) => runCurve(r, i, plot));
  const ends = runs.map((r, i) => runEnd(r, i, plot));
  return chartSvg(ID, TITLE, x, y, html`${budgetLines(runs, plot)}${curves}${ends}`);
}
