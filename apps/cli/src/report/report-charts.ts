import {
  type ChartRun,
  type CurvePoint,
  chooseGrid,
  curveChart,
  type ReportCharts,
  savingsPoints,
} from '@curfew/dashboard/report';
import type { Report, RunRow } from './report-model';

const asChartRun = (run: RunRow): ChartRun => ({ ...run, id: run.runId });

/** EM against tokens, for the chart. */
const emPoints = (run: RunRow): CurvePoint[] =>
  run.evals.flatMap((e) => (e.em === null ? [] : [{ tokens: e.tokens, value: e.em }]));

/**
 * What the report's charts draw, in the dashboard's chart format: every run's EM curve on one
 * grid (downsampled as the dashboard does), where each ended and why, and tokens saved
 * against deployed EM for the finished runs.
 */
export function reportCharts(report: Report): ReportCharts {
  const runs = report.runs.map(asChartRun);
  const points = new Map(report.runs.map((r) => [r.runId, emPoints(r)]));
  const budget = Math.max(0, ...report.runs.map((r) => r.budgetTokens ?? 0));
  const grid = chooseGrid(
    [...points].map(([runId, list]) => ({ runId, points: list })),
    { maxTokens: budget },
  );
  return {
    curves: curveChart({ metric: 'em', mode: 'max', runs, pointsOf: (id) => points.get(id) ?? [], grid }),
    savings: savingsPoints(runs),
  };
}

/**
 * JSON to embed in an HTML <script type="application/json">: `<` is escaped, so no value (a run
 * config, a stop reason) can close the element, and so are the two line separators JSON allows
 * but scripts do not.
 */
export function embeddedJson(data: unknown): string {
  return JSON.stringify(data)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
