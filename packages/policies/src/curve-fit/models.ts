import { assertNever } from '../types';

/**
 * Learning-curve families, each linear in (a, b) once its shape `c` is fixed, with x = progress
 * (tokens / budget) in (0, 1]:
 * - `constant`: y = a (the curve has saturated)
 * - `log`:      y = a + b·ln x (keeps rising, never saturates: a hedge against early stops)
 * - `power`:    y = a − b·x^(−c)
 * - `exp`:      y = a − b·e^(−c·x)
 * A model is written y = a + β·g(x); `b` as above is −β for power/exp and β for log.
 */
export type CurveFamily = 'constant' | 'log' | 'power' | 'exp';

export interface CurveModel {
  family: CurveFamily;
  /** Shape parameter, null for families without one. */
  c: number | null;
  /** Parameters fitted: 1 (constant), 2 (log) or 3 (a, b and c chosen on the grid). */
  k: number;
  /** Log prior weight: families share equally, a family's grid splits its share. */
  logPrior: number;
  /** Basis g(x), so that y = a + β·g(x). Unused for `constant`. */
  g(x: number): number;
}

/** `count` values from `from` to `to`, evenly spaced on a log scale (rounded to 4 digits). */
function geometric(from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) =>
    Number((from * (to / from) ** (i / (count - 1))).toPrecision(4)),
  );
}

/** Shapes of the power-law grid, 0.1 to 2 (ratio ≈ 1.26): exponents of real curves are ~0.1–1. */
export const POWER_SHAPES: readonly number[] = geometric(0.1, 2, 14);
/**
 * Rates of the exponential grid, 0.5 to 60 (ratio ≈ 1.27): 0.5 is nearly linear over the budget,
 * 60 saturates by x ≈ 0.08. Fine enough that a rate between two grid points still predicts the
 * value at the budget closely.
 */
export const EXP_SHAPES: readonly number[] = geometric(0.5, 60, 21);

const FAMILIES = 4;

/** Every model fitted: one constant, one log, and each power/exp shape of the grids. */
export const CURVE_MODELS: readonly CurveModel[] = [
  { family: 'constant', c: null, k: 1, logPrior: Math.log(1 / FAMILIES), g: () => 0 },
  { family: 'log', c: null, k: 2, logPrior: Math.log(1 / FAMILIES), g: (x) => Math.log(x) },
  ...POWER_SHAPES.map(
    (c): CurveModel => ({
      family: 'power',
      c,
      k: 3,
      logPrior: Math.log(1 / FAMILIES / POWER_SHAPES.length),
      g: (x) => -Math.exp(-c * Math.log(x)),
    }),
  ),
  ...EXP_SHAPES.map(
    (c): CurveModel => ({
      family: 'exp',
      c,
      k: 3,
      logPrior: Math.log(1 / FAMILIES / EXP_SHAPES.length),
      g: (x) => -Math.exp(-c * x),
    }),
  ),
];

/** The curve of one family and shape at x, in the (a, b) of the doc above. */
export function curveValue(family: CurveFamily, c: number | null, a: number, b: number, x: number): number {
  switch (family) {
    case 'constant':
      return a;
    case 'log':
      return a + b * Math.log(x);
    case 'power':
      return a - b * x ** -(c ?? 0);
    case 'exp':
      return a - b * Math.exp(-(c ?? 0) * x);
    default:
      return assertNever(family, 'curve family');
  }
}
