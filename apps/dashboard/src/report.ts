/**
 * What the static `curfew report` shares with the dashboard: its charts (the same browser code,
 * inlined), the downsampling behind them, and the number formats. Light to import: no server.
 */
import { bundleScript, chartStyleSheet } from './server/assets';

export { alignCurves, type CurvePoint, chooseGrid, type RunPoints } from './curves/align-curves';
export type { CurveChart, EndMarker, ReportCharts, SavingsPoint } from './shared/chart-data';
export * from './shared/format';
export { type ChartRun, curveChart, endMarkers, metricLabel, savingsPoints } from './views/chart-parts';

export interface ChartAssets {
  /** The chart code with uPlot inside, for an inline <script>. */
  script: string;
  /** uPlot's style sheet, for an inline <style>. */
  css: string;
}

/** The report's chart code and styles, built from the dashboard's sources. */
export async function reportChartAssets(): Promise<ChartAssets> {
  const [script, css] = await Promise.all([bundleScript('report'), chartStyleSheet()]);
  return { script, css };
}
export { trialColor } from './client/charts/palette';
export { escapeHtml } from './shared/escape-html';
