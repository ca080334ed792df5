import type uPlot from 'uplot';
import type { AlignedCurves } from '../../shared/chart-data';

/** The curves as uPlot draws them: the x grid, then one full-length column per series. */
export function alignedData(curves: AlignedCurves): uPlot.AlignedData {
  const columns = curves.series.map((s) => {
    const values: (number | null)[] = new Array(curves.x.length).fill(null);
    for (let i = 0; i < s.values.length; i++) values[s.start + i] = s.values[i] ?? null;
    return values;
  });
  return [curves.x, ...columns];
}

/** How many points the curves draw. */
export function pointCount(curves: AlignedCurves): number {
  let n = 0;
  for (const s of curves.series) for (const v of s.values) if (v !== null) n++;
  return n;
}
