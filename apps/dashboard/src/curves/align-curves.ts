import type { AlignedCurves, CurveSeries } from '../shared/chart-data';

/** One point of a run's curve. */
export interface CurvePoint {
  tokens: number;
  value: number;
}

/** A run's points in token order. */
export interface RunPoints {
  runId: string;
  /** The series' legend label, when it is not the run. */
  label?: string;
  points: readonly CurvePoint[];
}

/**
 * The x grid shared by every run of a chart: the runs' own token counts when there are few of
 * them, else buckets of equal width over [0, max], two columns each (a bucket's min and max).
 */
export type CurveGrid =
  | { kind: 'exact'; x: number[] }
  | { kind: 'buckets'; max: number; buckets: number; x: number[] };

export interface GridOptions {
  /**
   * Most grid cells (runs × columns) a chart sends: what keeps 1,000 runs light (80 columns,
   * 40 buckets each, over a chart about 1,000 pixels wide: where 1,000 curves overlap anyway).
   * @defaultValue 80_000
   */
  maxCells?: number;
  /**
   * Most columns, however few the runs (a chart is about 1,000 pixels wide).
   * @defaultValue 1_200
   */
  maxColumns?: number;
  /**
   * Fewest columns, however many the runs.
   * @defaultValue 64
   */
  minColumns?: number;
  /** Tokens the grid must reach (the largest run budget), so it stays put while runs train. */
  maxTokens?: number;
}

/** Four significant digits: finer than a chart can show (EM on 1,000 examples has three), in half the JSON. */
const rounded = (v: number) => (Number.isInteger(v) ? v : Number(v.toPrecision(4)));

function columnsFor(runCount: number, options: GridOptions): number {
  const { maxCells = 80_000, maxColumns = 1_200, minColumns = 64 } = options;
  const fair = Math.floor(maxCells / Math.max(1, runCount));
  return Math.max(minColumns, Math.min(maxColumns, fair));
}

/** The grid for these runs: exact when their distinct token counts fit the column budget. */
export function chooseGrid(runs: readonly RunPoints[], options: GridOptions = {}): CurveGrid {
  const columns = columnsFor(runs.length, options);
  const distinct = new Set<number>();
  let max = options.maxTokens ?? 0;
  for (const run of runs)
    for (const p of run.points) {
      distinct.add(p.tokens);
      if (p.tokens > max) max = p.tokens;
    }
  if (distinct.size <= columns) return { kind: 'exact', x: [...distinct].sort((a, b) => a - b) };
  const buckets = Math.floor(columns / 2);
  const width = max / buckets;
  const x: number[] = [];
  for (let b = 0; b < buckets; b++) x.push(Math.round((b + 0.25) * width), Math.round((b + 0.75) * width));
  return { kind: 'buckets', max, buckets, x };
}

/** Two grids are the same when their columns are. */
export function sameGrid(a: CurveGrid, b: CurveGrid): boolean {
  return a.kind === b.kind && a.x.length === b.x.length && a.x.every((v, i) => v === b.x[i]);
}

function seriesOf(run: RunPoints, cells: readonly [number, number][]): CurveSeries {
  const start = cells[0]?.[0] ?? 0;
  const end = cells.at(-1)?.[0] ?? -1;
  const values: (number | null)[] = new Array(end - start + 1).fill(null);
  for (const [col, value] of cells) values[col - start] = rounded(value);
  return {
    runId: run.runId,
    ...(run.label ? { label: run.label } : {}),
    start,
    points: run.points.length,
    values,
  };
}

function exactCells(points: readonly CurvePoint[], column: Map<number, number>): [number, number][] {
  return points.map((p) => [column.get(p.tokens) as number, p.value]);
}

/**
 * Per bucket the lowest and the highest point, in the order they came, in the bucket's two
 * columns: the envelope of a noisy curve survives however many points share a pixel.
 */
function bucketCells(points: readonly CurvePoint[], max: number, buckets: number): [number, number][] {
  const cells: [number, number][] = [];
  const bucketOf = (t: number) => Math.min(buckets - 1, Math.max(0, Math.floor((t / max) * buckets)));
  for (let i = 0; i < points.length; ) {
    const b = bucketOf((points[i] as CurvePoint).tokens);
    let lo = i;
    let hi = i;
    let j = i;
    for (; j < points.length && bucketOf((points[j] as CurvePoint).tokens) === b; j++) {
      if ((points[j] as CurvePoint).value < (points[lo] as CurvePoint).value) lo = j;
      if ((points[j] as CurvePoint).value > (points[hi] as CurvePoint).value) hi = j;
    }
    const first = points[Math.min(lo, hi)] as CurvePoint;
    const second = points[Math.max(lo, hi)] as CurvePoint;
    if (lo === hi) {
      const upperHalf = first.tokens >= ((b + 0.5) * max) / buckets;
      cells.push([2 * b + (upperHalf ? 1 : 0), first.value]);
    } else {
      cells.push([2 * b, first.value], [2 * b + 1, second.value]);
    }
    i = j;
  }
  return cells;
}

/** Every run with points, on `grid` (from chooseGrid over the same or more runs). */
export function alignCurves(runs: readonly RunPoints[], grid: CurveGrid): AlignedCurves {
  const column = grid.kind === 'exact' ? new Map(grid.x.map((t, i) => [t, i])) : null;
  const series: CurveSeries[] = [];
  let sourcePoints = 0;
  for (const run of runs) {
    if (run.points.length === 0) continue;
    sourcePoints += run.points.length;
    const cells =
      grid.kind === 'exact'
        ? exactCells(run.points, column as Map<number, number>)
        : bucketCells(run.points, grid.max, grid.buckets);
    series.push(seriesOf(run, cells));
  }
  return { x: grid.x, series, downsampled: grid.kind === 'buckets', sourcePoints };
}
