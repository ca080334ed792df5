import { describe, expect, it } from 'vitest';
import { alignCurves, chooseGrid, type RunPoints, sameGrid } from './align-curves';

const run = (runId: string, pairs: [number, number][]): RunPoints => ({
  runId,
  points: pairs.map(([tokens, value]) => ({ tokens, value })),
});

describe('alignCurves', () => {
  it('keeps every point when the runs have few distinct token counts', () => {
    const runs = [
      run('a', [
        [100, 0.1],
        [200, 0.3],
        [300, 0.2],
      ]),
      run('b', [
        [150, 0.5],
        [300, 0.6],
      ]),
      run('empty', []),
    ];
    const aligned = alignCurves(runs, chooseGrid(runs));
    expect(aligned.x).toEqual([100, 150, 200, 300]);
    expect(aligned.downsampled).toBe(false);
    expect(aligned.sourcePoints).toBe(5);
    expect(aligned.series).toEqual([
      { runId: 'a', start: 0, points: 3, values: [0.1, null, 0.3, 0.2] },
      { runId: 'b', start: 1, points: 2, values: [0.5, null, 0.6] },
    ]);
  });

  it('keeps each bucket’s lowest and highest point, in order, when there are too many', () => {
    // 1,000 runs × 100 evals at tokens that differ per run: 100,000 distinct token counts.
    const runs = Array.from({ length: 1000 }, (_, r) =>
      run(
        `r${r}`,
        Array.from({ length: 100 }, (_, i) => [(i + 1) * 1000 + r, Math.sin(i + r) / 2 + 0.5]),
      ),
    );
    const grid = chooseGrid(runs, { maxTokens: 101_000 });
    const aligned = alignCurves(runs, grid);
    expect(aligned.downsampled).toBe(true);
    expect(aligned.sourcePoints).toBe(100_000);
    const cells = aligned.series.reduce((sum, s) => sum + s.values.length, 0);
    expect(cells).toBeLessThanOrEqual(80_000);
    expect(aligned.x.length).toBe(80);
    // Every run's extremes survive.
    for (const [r, series] of aligned.series.entries()) {
      const source = (runs[r] as RunPoints).points.map((p) => p.value);
      const kept = series.values.filter((v): v is number => v !== null);
      expect(Math.max(...kept)).toBeCloseTo(Math.max(...source), 3);
      expect(Math.min(...kept)).toBeCloseTo(Math.min(...source), 3);
    }
  });

  it('puts a spike in its bucket, before or after the bucket’s other extreme as it came', () => {
    const points: [number, number][] = Array.from({ length: 4000 }, (_, i) => [i, 0.5]);
    points[1234] = [1234, 0.99];
    points[1240] = [1240, 0.01];
    const runs = [run('spiky', points)];
    const grid = chooseGrid(runs, { maxColumns: 200, maxTokens: 4000 });
    expect(grid.kind).toBe('buckets');
    const [series] = alignCurves(runs, grid).series;
    const values = series?.values ?? [];
    const hi = values.indexOf(0.99);
    const lo = values.indexOf(0.01);
    expect(hi).toBeGreaterThanOrEqual(0);
    expect(lo).toBe(hi + 1);
    // The spike's column lies within a bucket of its tokens.
    expect(Math.abs((grid.x[hi + (series?.start ?? 0)] as number) - 1234)).toBeLessThanOrEqual(4000 / 100);
  });

  it('gives the same grid while runs train inside the budget, and a new one past it', () => {
    const early = [
      run(
        'a',
        Array.from({ length: 2000 }, (_, i) => [i * 3, i]),
      ),
    ];
    const later = [
      run(
        'a',
        Array.from({ length: 2600 }, (_, i) => [i * 3, i]),
      ),
    ];
    const options = { maxTokens: 9000 };
    expect(sameGrid(chooseGrid(early, options), chooseGrid(later, options))).toBe(true);
    const past = [
      run(
        'a',
        Array.from({ length: 3200 }, (_, i) => [i * 3, i]),
      ),
    ];
    expect(sameGrid(chooseGrid(early, options), chooseGrid(past, options))).toBe(false);
  });
});
