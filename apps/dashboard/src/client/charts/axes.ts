import type uPlot from 'uplot';
import { formatTick, formatTokensShort } from '../../shared/format';

const AXIS_STYLE = { stroke: '#656d76', grid: { stroke: '#eaeef2', width: 1 }, ticks: { stroke: '#d0d7de' } };

/** The x axis of every chart: training tokens, labelled 50k, 1.2M. */
export function tokensAxis(label = 'training tokens'): uPlot.Axis {
  return { ...AXIS_STYLE, label, values: (_u, splits) => splits.map(formatTokensShort) };
}

export function valueAxis(label: string, format: (v: number) => string = formatTick): uPlot.Axis {
  return {
    ...AXIS_STYLE,
    label,
    // Room for the longest tick label (a small learning rate is long).
    size: (_u, values) => 28 + 7 * Math.max(3, ...(values ?? []).map((v) => String(v).length)),
    values: (_u, splits) => splits.map(format),
  };
}

/**
 * Metrics where higher is better start at 0 (EM never passes 1); losses keep a little room
 * either side.
 */
export function valueRange(metric: string, mode: 'max' | 'min'): uPlot.Scale.Range {
  return (_u, min, max) => {
    if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
    if (mode === 'max') {
      const top = max > 0 ? max * 1.08 : 1;
      return [Math.min(0, min), metric === 'em' ? Math.min(1, top) : top];
    }
    const pad = (max - min) * 0.06 || Math.abs(max) * 0.1 || 1;
    return [min - pad, max + pad];
  };
}

/** x from 0 to the furthest budget or eval. */
export function tokensRange(budgets: readonly number[]): uPlot.Scale.Range {
  return (_u, _min, max) => [0, Math.max(max ?? 0, ...budgets, 1)];
}
