import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../prng';
import { fitGbm, type Matrix, predictGbm } from './gbm';

/** y = 1 when x0 > 0.5 (plus a small slope on x1), with x2 pure noise. */
function dataset(rows: number, seed: number, noise = 0) {
  const next = mulberry32(seed);
  const data = new Float64Array(rows * 3);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const x0 = next();
    const x1 = next();
    data[r * 3] = x0;
    data[r * 3 + 1] = x1;
    data[r * 3 + 2] = next();
    y[r] = (x0 > 0.5 ? 1 : 0) + 0.2 * x1 + noise * (next() - 0.5);
  }
  const x: Matrix = { rows, cols: 3, data };
  return { x, y };
}

describe('fitGbm', () => {
  it('learns a step and a slope from noisy rows (squared error)', () => {
    const { x, y } = dataset(4000, 1, 0.2);
    const model = fitGbm(x, y, { minLeaf: 50 });
    expect(predictGbm(model, [0.2, 0.5, 0.5])).toBeCloseTo(0.1, 1);
    expect(predictGbm(model, [0.8, 0.5, 0.5])).toBeCloseTo(1.1, 1);
    expect(predictGbm(model, [0.8, 0.9, 0.5])).toBeGreaterThan(predictGbm(model, [0.8, 0.1, 0.5]));
  });

  it('fits a quantile: about 90% of the targets fall below the 0.9-quantile prediction', () => {
    const { x, y } = dataset(4000, 2, 1);
    const model = fitGbm(x, y, { minLeaf: 50, quantile: 0.9 });
    const test = dataset(4000, 3, 1);
    let below = 0;
    for (let r = 0; r < test.x.rows; r++)
      if ((test.y[r] as number) <= predictGbm(model, test.x.data, r * 3)) below++;
    expect(below / test.x.rows).toBeGreaterThan(0.85);
    expect(below / test.x.rows).toBeLessThan(0.95);
  });

  it('is deterministic and fits only the rows it is given', () => {
    const { x, y } = dataset(3000, 4);
    const a = fitGbm(x, y, { minLeaf: 50 });
    expect(fitGbm(x, y, { minLeaf: 50 })).toEqual(a);
    // Rows with x0 <= 0.5 only: the model never sees the step, so it predicts ~0.1 everywhere.
    const low = Int32Array.from({ length: x.rows }, (_, r) => r).filter(
      (r) => (x.data[r * 3] as number) <= 0.5,
    );
    const lowOnly = fitGbm(x, y, { minLeaf: 50 }, low);
    expect(predictGbm(lowOnly, [0.9, 0.5, 0.5])).toBeCloseTo(0.1, 1);
  });
});
