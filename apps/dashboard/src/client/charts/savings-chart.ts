import uPlot from 'uplot';
import type { SavingsPoint } from '../../shared/chart-data';
import { formatEm, formatPercent } from '../../shared/format';
import { el, fill } from '../dom';
import { valueAxis, valueRange } from './axes';

export interface SavingsChartOptions {
  height: number;
  colorOf: (runId: string) => string;
  onPick?: (runId: string) => void;
}

const byTokensSaved = (a: SavingsPoint, b: SavingsPoint) => a.tokensSaved - b.tokensSaved;

/** One point per finished run: the share of its budget it did not spend, against the EM it ships. */
export class SavingsChart {
  private plot: uPlot | null = null;
  private points: SavingsPoint[] = [];
  private readonly area = el('div', { class: 'chart-area' });
  private readonly hover = el('div', { class: 'chart-hover' }, '\u00a0');

  constructor(
    private readonly root: HTMLElement,
    private readonly options: SavingsChartOptions,
  ) {
    root.classList.add('savings-chart');
    root.append(this.area, this.hover);
    window.addEventListener('resize', () =>
      this.plot?.setSize({ width: Math.max(320, root.clientWidth), height: options.height }),
    );
    this.area.addEventListener('click', () => {
      const near = this.nearest();
      if (near) this.options.onPick?.(near.runId);
    });
  }

  set(points: readonly SavingsPoint[]): void {
    this.points = [...points].sort(byTokensSaved);
    this.root.dataset.points = String(this.points.length);
    if (this.points.length === 0) {
      this.plot?.destroy();
      this.plot = null;
      fill(this.area, el('p', { class: 'empty' }, 'no finished runs yet'));
      return;
    }
    const data: uPlot.AlignedData = [
      this.points.map((p) => p.tokensSaved),
      this.points.map((p) => p.deployedEm),
    ];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    fill(this.area);
    this.plot = new uPlot(this.plotOptions(), data, this.area);
  }

  private plotOptions(): uPlot.Options {
    return {
      width: Math.max(320, this.root.clientWidth),
      height: this.options.height,
      legend: { show: false },
      scales: { x: { time: false, range: [0, 1] }, y: { range: valueRange('em', 'max') } },
      axes: [
        valueAxis('tokens saved (share of budget)', (v) => formatPercent(v, 0)),
        valueAxis('deployed EM', (v) => formatEm(v)),
      ],
      series: [
        {},
        { label: 'deployed EM', paths: () => null, points: { show: false }, stroke: 'transparent' },
      ],
      cursor: { points: { show: false } },
      hooks: {
        draw: [(u) => this.drawPoints(u)],
        setCursor: [() => this.describeHover()],
      },
    };
  }

  private drawPoints(u: uPlot): void {
    const ctx = u.ctx;
    const px = uPlot.pxRatio;
    const labels = this.points.length <= 30;
    ctx.save();
    ctx.font = `${11 * px}px system-ui, sans-serif`;
    for (const p of this.points) {
      const x = u.valToPos(p.tokensSaved, 'x', true);
      const y = u.valToPos(p.deployedEm, 'y', true);
      const color = this.options.colorOf(p.runId);
      ctx.beginPath();
      ctx.arc(x, y, 5 * px, 0, 2 * Math.PI);
      ctx.fillStyle = color;
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 1.5 * px;
      ctx.fill();
      ctx.stroke();
      if (labels) {
        ctx.fillStyle = color;
        ctx.fillText(`t${p.trial}`, x + 8 * px, y - 8 * px);
      }
    }
    ctx.restore();
  }

  /** The point within 12 pixels of the cursor, if any. */
  private nearest(): SavingsPoint | null {
    const u = this.plot;
    const { left, top } = u?.cursor ?? {};
    if (!u || left === undefined || top === undefined || left < 0) return null;
    let best: SavingsPoint | null = null;
    let bestDistance = 12;
    for (const p of this.points) {
      const d = Math.hypot(u.valToPos(p.tokensSaved, 'x') - left, u.valToPos(p.deployedEm, 'y') - top);
      if (d < bestDistance) {
        best = p;
        bestDistance = d;
      }
    }
    return best;
  }

  private describeHover(): void {
    const p = this.nearest();
    this.area.classList.toggle('pickable', p !== null && this.options.onPick !== undefined);
    this.hover.textContent = p
      ? `${p.runId} (${p.status}): ${formatPercent(p.tokensSaved)} saved, deployed EM ${formatEm(p.deployedEm)}`
      : '\u00a0';
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}
