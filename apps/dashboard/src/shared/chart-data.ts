/**
 * What the charts draw, as the server sends it and the static report embeds it. Types only:
 * shared by the server (which builds it) and the browser code (which draws it).
 */

/**
 * Curves of many runs on one x grid (tokens), as uPlot wants them. A run's values cover the grid
 * columns `start … start + values.length − 1`; before and after, it has no point.
 */
export interface AlignedCurves {
  /** Training tokens of each grid column, ascending. */
  x: number[];
  series: CurveSeries[];
  /** True when points were merged into buckets (min and max kept per bucket and run). */
  downsampled: boolean;
  /** How many points the curves had before downsampling. */
  sourcePoints: number;
}

export interface CurveSeries {
  runId: string;
  /** What the legend calls it, when it is not the run (a run page's training and validation loss). */
  label?: string;
  /** Index of the run's first grid column. */
  start: number;
  /** How many points the run had before downsampling. */
  points: number;
  values: (number | null)[];
}

/** Where a run's curve ends: its last point, with why it ended (or that it still trains). */
export interface EndMarker {
  runId: string;
  trial: number;
  tokens: number;
  value: number;
  status: string;
  /** Stop reason, the failure, or null while it trains. */
  reason: string | null;
  /** The run is still queued or training: drawn hollow. */
  live: boolean;
}

/** One chart of curves: one metric of every run, their end points and the budgets. */
export interface CurveChart {
  /** The metric, as users name it: `em`, `loss`, `lr`, … */
  metric: string;
  /** Axis label. */
  label: string;
  /** `max`: higher is better (EM); `min`: lower is better (losses). */
  mode: 'max' | 'min';
  curves: AlignedCurves;
  markers: EndMarker[];
  /** Distinct run budgets, in tokens, drawn as dashed vertical lines. */
  budgets: number[];
}

/** One point of "tokens saved against EM": a finished run. */
export interface SavingsPoint {
  runId: string;
  trial: number;
  status: string;
  /** 1 − tokens used / budget. */
  tokensSaved: number;
  deployedEm: number;
}

/** What the static report embeds for its charts. */
export interface ReportCharts {
  curves: CurveChart;
  savings: SavingsPoint[];
}
