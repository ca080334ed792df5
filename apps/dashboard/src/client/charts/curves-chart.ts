import uPlot from 'uplot';
import type { CurveChart, EndMarker } from '../../shared/chart-data';
import { formatCount, formatTick } from '../../shared/format';
import { el, fill } from '../dom';
import { alignedData, pointCount } from './aligned-data';
import { tokensAxis, tokensRange, valueAxis, valueRange } from './axes';

export interface CurvesChartOptions {
  height: number;
  /** The colour of a series (by run, or by position on a run page). */
  colorOf: (runId: string, index: number) => string;
  /** Called with the run whose curve was clicked. */
  onPick?: (runId: string) => void;
  /** Stop reasons beside the end markers up to this many runs (more would be unreadable). @defaultValue 16 */
  maxLabels?: number;
}

/** Markers and budget lines, drawn over the curves after every redraw. */
function drawOverlay(u: uPlot, chart: CurveChart, colorOf: CurvesChartOptions['colorOf'], maxLabels: number) {
  const ctx = u.ctx;
  const px = uPlot.pxRatio;
  const { top, height } = u.bbox;
  ctx.save();
  ctx.font = `${11 * px}px system-ui, sans-serif`;
  for (const budget of chart.budgets) {
    const x = u.valToPos(budget, 'x', true);
    ctx.strokeStyle = '#1f2328';
    ctx.setLineDash([6 * px, 4 * px]);
    ctx.lineWidth = px;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.fillStyle = '#656d76';
    ctx.textAlign = 'right';
    ctx.fillText('budget', x - 4 * px, top + 12 * px);
  }
  ctx.setLineDash([]);
  ctx.textAlign = 'left';
  // A marker takes the colour of its run's first series (a run page's validation loss).
  const index = new Map<string, number>();
  chart.curves.series.forEach((s, i) => {
    if (!index.has(s.runId)) index.set(s.runId, i);
  });
  const label = chart.markers.length <= maxLabels;
  for (const m of chart.markers) drawMarker(u, m, colorOf(m.runId, index.get(m.runId) ?? 0), label);
  ctx.restore();
}

function drawMarker(u: uPlot, m: EndMarker, color: string, withLabel: boolean): void {
  const ctx = u.ctx;
  const px = uPlot.pxRatio;
  const x = u.valToPos(m.tokens, 'x', true);
  const y = u.valToPos(m.value, 'y', true);
  ctx.beginPath();
  ctx.arc(x, y, 4.5 * px, 0, 2 * Math.PI);
  ctx.fillStyle = m.live ? '#ffffff' : color;
  ctx.strokeStyle = color;
  ctx.lineWidth = 2 * px;
  ctx.fill();
  ctx.stroke();
  if (!withLabel) return;
  const text = `t${m.trial}${m.reason ? ` ${m.reason.slice(0, 40)}` : ''}`;
  ctx.lineWidth = 3 * px;
  ctx.strokeStyle = '#ffffff';
  ctx.strokeText(text, x + 7 * px, y - 7 * px);
  ctx.fillStyle = color;
  ctx.fillText(text, x + 7 * px, y - 7 * px);
}

/**
 * Curves of many runs over training tokens, with where each ended (filled; hollow while it
 * trains) and why, and the budget. Hovering names the nearest curve; clicking it opens its run.
 */
export class CurvesChart {
  private plot: uPlot | null = null;
  private chart: CurveChart | null = null;
  private seriesKey = '';
  private focused: number | null = null;
  private readonly area = el('div', { class: 'chart-area' });
  private readonly hover = el('div', { class: 'chart-hover' }, '\u00a0');
  private readonly legend = el('ul', { class: 'chart-legend' });

  constructor(
    private readonly root: HTMLElement,
    private readonly options: CurvesChartOptions,
  ) {
    root.classList.add('curves-chart');
    root.append(this.area, this.legend, this.hover);
    window.addEventListener('resize', () =>
      this.plot?.setSize({ width: this.width(), height: options.height }),
    );
    this.area.addEventListener('click', () => {
      const runId = this.focused === null ? undefined : this.chart?.curves.series[this.focused - 1]?.runId;
      if (runId) this.options.onPick?.(runId);
    });
  }

  private width(): number {
    return Math.max(320, this.root.clientWidth);
  }

  /** Draws `chart`: new data on the same series is a redraw, other series a new plot. */
  set(chart: CurveChart): void {
    this.chart = chart;
    this.root.dataset.series = String(chart.curves.series.length);
    this.root.dataset.points = String(pointCount(chart.curves));
    this.root.dataset.markers = String(chart.markers.length);
    this.root.dataset.downsampled = String(chart.curves.downsampled);
    if (chart.curves.series.length === 0) {
      this.plot?.destroy();
      this.plot = null;
      this.seriesKey = '';
      fill(this.area, el('p', { class: 'empty' }, 'no evals yet'));
      return;
    }
    const key = `${chart.label}\n${chart.curves.series.map((s) => s.label ?? s.runId).join('\n')}`;
    const data = alignedData(chart.curves);
    if (this.plot && key === this.seriesKey) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.seriesKey = key;
    this.drawLegend(chart);
    fill(this.area);
    this.plot = new uPlot(this.plotOptions(chart), data, this.area);
  }

  /** Named lines (a run page's losses) get a legend; runs are named by hovering. */
  private drawLegend(chart: CurveChart): void {
    const named = chart.curves.series.filter((s) => s.label);
    fill(
      this.legend,
      ...named.map((s, i) =>
        el(
          'li',
          null,
          el('span', { class: 'swatch', attrs: { style: `background:${this.options.colorOf(s.runId, i)}` } }),
          s.label,
        ),
      ),
    );
  }

  private plotOptions(chart: CurveChart): uPlot.Options {
    const { colorOf, height, maxLabels = 16 } = this.options;
    const many = chart.curves.series.length > 50;
    return {
      width: this.width(),
      height,
      legend: { show: false },
      scales: {
        x: { time: false, range: tokensRange(chart.budgets) },
        y: { range: valueRange(chart.metric, chart.mode) },
      },
      axes: [tokensAxis(), valueAxis(chart.label)],
      series: [
        { label: 'tokens' },
        ...chart.curves.series.map((s, i) => ({
          label: s.label ?? s.runId,
          stroke: colorOf(s.runId, i),
          width: many ? 1 : 1.75,
          spanGaps: true,
          points: { show: false },
        })),
      ],
      cursor: { focus: { prox: 24 }, points: { show: false } },
      focus: { alpha: 0.25 },
      hooks: {
        draw: [(u) => this.chart && drawOverlay(u, this.chart, colorOf, maxLabels)],
        setSeries: [(u, idx) => this.onFocus(u, idx)],
        setCursor: [(u) => this.describeHover(u)],
      },
    };
  }

  private onFocus(u: uPlot, idx: number | null): void {
    this.focused = idx;
    this.area.classList.toggle('pickable', idx !== null && this.options.onPick !== undefined);
    this.describeHover(u);
  }

  private describeHover(u: uPlot): void {
    const idx = u.cursor.idx;
    const series = this.focused === null ? undefined : u.series[this.focused];
    if (idx === null || idx === undefined || !series || this.focused === null) {
      this.hover.textContent = '\u00a0';
      return;
    }
    const value = u.data[this.focused]?.[idx];
    const tokens = u.data[0][idx] ?? 0;
    const at = `${formatCount(tokens)} tokens`;
    this.hover.textContent = `${series.label}: ${value === null || value === undefined ? '–' : formatTick(Number(value.toPrecision(4)))} at ${at}`;
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}
