import type { ReportCharts } from '../shared/chart-data';
import { CurvesChart } from './charts/curves-chart';
import { trialColor, trialOf } from './charts/palette';
import { SavingsChart } from './charts/savings-chart';

/**
 * The charts of the static `curfew report`: the dashboard's own, drawn from the data the report
 * embeds (a <script type="application/json">), with nothing fetched.
 */
const data = JSON.parse(
  document.getElementById('curfew-report-data')?.textContent ?? 'null',
) as ReportCharts | null;
const curvesBox = document.getElementById('learning-curves');
const savingsBox = document.getElementById('savings-scatter');
if (data && curvesBox && savingsBox) {
  const colorOf = (runId: string) => trialColor(trialOf(runId));
  curvesBox.replaceChildren();
  savingsBox.replaceChildren();
  new CurvesChart(curvesBox, { height: 380, colorOf }).set(data.curves);
  new SavingsChart(savingsBox, { height: 320, colorOf }).set(data.savings);
  document.body.dataset.charts = 'drawn';
}
