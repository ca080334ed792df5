import { html, type SafeHtml } from './html';

/** Drawing area of every chart, in SVG user units (the SVG scales to the page width). */
export const CHART = { width: 720, height: 380, left: 64, right: 48, top: 24, bottom: 52 } as const;

const PLOT_WIDTH = CHART.width - CHART.left - CHART.right;
const PLOT_HEIGHT = CHART.height - CHART.top - CHART.bottom;

/** Tableau 10: distinct colours that stay readable when printed. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** The colour of the run at `index` in the report (the same in every chart and legend). */
export function runColor(index: number): string {
  return PALETTE[index % PALETTE.length] as string;
}

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
  format: (value: number) => string;
  label: string;
}

/** The largest value, or 0 for none (no spread: a long experiment has more evals than a call has arguments). */
export function maxOf(values: Iterable<number>): number {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  return max;
}

/** A "nice" tick step (1, 2 or 5 times a power of ten) for about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  const rough = span / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const multiple = [1, 2, 5, 10].find((m) => m * power >= rough) ?? 10;
  return multiple * power;
}

/** `value` rounded up to a nice tick, so the axis ends on a labelled tick. */
export function niceCeil(value: number, count = 5): number {
  if (!(value > 0)) return 1;
  const step = niceStep(value, count);
  return Number((Math.ceil(value / step - 1e-9) * step).toPrecision(12));
}

/** Ticks at multiples of a nice step from `min` to `max`, both included when they fall on one. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const step = niceStep(max - min, count);
  const ticks: number[] = [];
  for (let i = Math.ceil(min / step - 1e-9); i * step <= max + step * 1e-9; i++) {
    ticks.push(Number((i * step).toPrecision(12)));
  }
  return ticks;
}

/** An axis from 0 to `max` rounded up to a nice tick (1 when there is nothing to show). */
export function axisTo(max: number, label: string, format: (value: number) => string): Axis {
  const top = niceCeil(max);
  return { min: 0, max: top, ticks: niceTicks(0, top), format, label };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** Maps data to SVG coordinates inside the plot area (y grows upwards). */
export interface Plot {
  x(value: number): number;
  y(value: number): number;
}

export function plotOf(xAxis: Axis, yAxis: Axis): Plot {
  const fraction = (axis: Axis, v: number) =>
    axis.max > axis.min ? (v - axis.min) / (axis.max - axis.min) : 0;
  return {
    x: (v) => round1(CHART.left + fraction(xAxis, v) * PLOT_WIDTH),
    y: (v) => round1(CHART.top + PLOT_HEIGHT - fraction(yAxis, v) * PLOT_HEIGHT),
  };
}

function gridAndTicks(xAxis: Axis, yAxis: Axis, plot: Plot): SafeHtml {
  const bottom = CHART.top + PLOT_HEIGHT;
  const right = CHART.left + PLOT_WIDTH;
  const xTicks = xAxis.ticks.map((t) => {
    const x = plot.x(t);
    return html`<line class="grid" x1="${x}" y1="${CHART.top}" x2="${x}" y2="${bottom}"/><text class="tick" x="${x}" y="${bottom + 18}" text-anchor="middle">${xAxis.format(t)}</text>`;
  });
  const yTicks = yAxis.ticks.map((t) => {
    const y = plot.y(t);
    return html`<line class="grid" x1="${CHART.left}" y1="${y}" x2="${right}" y2="${y}"/><text class="tick" x="${CHART.left - 8}" y="${y + 4}" text-anchor="end">${yAxis.format(t)}</text>`;
  });
  return html`${xTicks}${yTicks}<line class="axis" x1="${CHART.left}" y1="${bottom}" x2="${right}" y2="${bottom}"/><line class="axis" x1="${CHART.left}" y1="${CHART.top}" x2="${CHART.left}" y2="${bottom}"/>`;
}

function axisLabels(xAxis: Axis, yAxis: Axis): SafeHtml {
  const xMid = CHART.left + PLOT_WIDTH / 2;
  const yMid = CHART.top + PLOT_HEIGHT / 2;
  return html`<text class="axis-label" x="${xMid}" y="${CHART.height - 10}" text-anchor="middle">${xAxis.label}</text><text class="axis-label" x="16" y="${yMid}" text-anchor="middle" transform="rotate(-90 16 ${yMid})">${yAxis.label}</text>`;
}

function svg(id: string, title: string, body: SafeHtml): SafeHtml {
  return html`<svg id="${id}" class="chart" viewBox="0 0 ${CHART.width} ${CHART.height}" role="img" aria-labelledby="${id}-title"><title id="${id}-title">${title}</title>${body}</svg>`;
}

/** A chart: grid, ticks, axis labels, then `body` (drawn with `plotOf(xAxis, yAxis)`). */
export function chartSvg(id: string, title: string, xAxis: Axis, yAxis: Axis, body: SafeHtml): SafeHtml {
  const plot = plotOf(xAxis, yAxis);
  return svg(id, title, html`${gridAndTicks(xAxis, yAxis, plot)}${axisLabels(xAxis, yAxis)}${body}`);
}

/** The frame of a chart with nothing to draw yet, and why. */
export function emptyChartSvg(id: string, title: string, message: string): SafeHtml {
  return svg(
    id,
    title,
    html`<rect class="empty-frame" x="${CHART.left}" y="${CHART.top}" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}"/><text class="empty" x="${CHART.left + PLOT_WIDTH / 2}" y="${CHART.top + PLOT_HEIGHT / 2}" text-anchor="middle">${message}</text>`,
  );
}
