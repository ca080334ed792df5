import { CURVE_MODELS, type CurveFamily, type CurveModel } from './models';

/** One point of a learning curve: x = tokens / budget, y oriented so that larger is better. */
export interface CurvePoint {
  x: number;
  y: number;
}

export interface ForecastOptions {
  /** Where the budget ends, in x. @defaultValue 1 */
  xEnd?: number;
  /** Plausible range of y: each model's prediction is clamped into it. @defaultValue unbounded */
  bounds?: { lo: number; hi: number };
}

export interface ModelForecast {
  family: CurveFamily;
  c: number | null;
  /** Parameters in the family's own form (see models.ts). */
  a: number;
  b: number;
  /** Posterior weight (BIC with the prior split over shape grids). */
  weight: number;
  /** Best value the model expects over the rest of the budget (clamped). */
  value: number;
  /** `value` minus the model's best over the points seen. */
  gain: number;
  /** Residual standard deviation (unit weight, i.e. at x = 1). */
  residualSd: number;
}

export interface Spread {
  mean: number;
  sd: number;
}

export interface CurveForecast {
  /** Points fitted. */
  n: number;
  /**
   * Best value reachable by the budget (a future eval, so one eval's residual noise included):
   * sd² = residual noise + parameter uncertainty (closed-form covariance of (a, b)) + model
   * disagreement (variance of the models' predictions under their weights).
   */
  value: Spread & { noiseSd: number; paramSd: number; disagreementSd: number };
  /**
   * Gain of the underlying curve over its own best so far: value − fitted best. Its sd is the
   * parameter uncertainty of that difference (the intercept cancels) plus model disagreement;
   * one eval's noise is no gain, so it is not part of it.
   */
  gain: Spread;
  /** The fitted curve's best over the points seen (weighted over models). */
  fittedBest: number;
  /** Every model fitted, when `forecast({ models: true })` asked for them; else empty. */
  models: ModelForecast[];
}

/** Points whose x or y is not finite, or x <= 0, carry no information and are skipped. */
export function usablePoint(p: CurvePoint): boolean {
  return Number.isFinite(p.x) && p.x > 0 && Number.isFinite(p.y);
}

/**
 * Weighted least squares weight of a point: later points count more (x), since the end of a
 * curve says more about where it goes than its steep start. Read as precision: a point's noise
 * variance is σ²/x.
 */
const weightAt = (x: number): number => x;

const MODEL_COUNT = CURVE_MODELS.length;
/** Per fitted model: index, a, β, log weight → weight, value, value var, noise var, past, gain var, σ². */
const FIELDS = 10;

/** Residual sd never drops below this fraction of the curve's scale (exact synthetic curves). */
const NOISE_FLOOR = 1e-4;

/**
 * Incremental fitter: `add` updates running weighted sums per model (O(models) per point), and
 * `forecast` solves each model's 2×2 normal equations from the sums (O(models)), so a policy
 * that sees one more eval per decision pays a constant cost per decision. Sums are accumulated
 * in point order, so a fitter rebuilt from the same points gives bit-identical forecasts.
 */
export class CurveFitter {
  private n = 0;
  private s0 = 0; // Σw
  private t0 = 0; // Σw·y
  private tyy = 0; // Σw·y²
  private readonly s1 = new Float64Array(MODEL_COUNT); // Σw·g
  private readonly s2 = new Float64Array(MODEL_COUNT); // Σw·g²
  private readonly t1 = new Float64Array(MODEL_COUNT); // Σw·g·y
  private readonly gFirst = new Float64Array(MODEL_COUNT); // g at the first point
  private readonly gLast = new Float64Array(MODEL_COUNT); // g at the last point
  private readonly gEnd = new Float64Array(MODEL_COUNT); // g at gEndX
  private gEndX = Number.NaN;
  /** Scratch space of forecast: FIELDS numbers per fitted model. */
  private readonly scratch = new Float64Array(MODEL_COUNT * FIELDS);
  private xLast = Number.NaN;
  private yMin = Number.POSITIVE_INFINITY;
  private yMax = Number.NEGATIVE_INFINITY;

  /** Points added so far (unusable ones excluded). */
  get size(): number {
    return this.n;
  }

  /** Adds one point; returns false (and ignores it) when it is not usable. */
  add(point: CurvePoint): boolean {
    if (!usablePoint(point)) return false;
    const { x, y } = point;
    const w = weightAt(x);
    this.n += 1;
    this.s0 += w;
    this.t0 += w * y;
    this.tyy += w * y * y;
    const first = this.n === 1;
    for (let i = 0; i < MODEL_COUNT; i++) {
      const m = CURVE_MODELS[i] as CurveModel;
      if (m.k === 1) continue;
      const g = m.g(x);
      this.s1[i] = (this.s1[i] as number) + w * g;
      this.s2[i] = (this.s2[i] as number) + w * g * g;
      this.t1[i] = (this.t1[i] as number) + w * g * y;
      this.gLast[i] = g;
      if (first) this.gFirst[i] = g;
    }
    this.xLast = x;
    this.yMin = Math.min(this.yMin, y);
    this.yMax = Math.max(this.yMax, y);
    return true;
  }

  /**
   * Weighted model average of every model with at least one residual degree of freedom, or
   * null when none has (fewer than 2 points). `models` is filled only when asked for.
   */
  forecast(options: ForecastOptions & { models?: boolean } = {}): CurveForecast | null {
    const n = this.n;
    if (n < 2) return null;
    const lo = options.bounds?.lo ?? Number.NEGATIVE_INFINITY;
    const hi = options.bounds?.hi ?? Number.POSITIVE_INFINITY;
    const xFuture = Math.max(options.xEnd ?? 1, this.xLast);
    if (xFuture !== this.gEndX) {
      for (let i = 0; i < MODEL_COUNT; i++) this.gEnd[i] = (CURVE_MODELS[i] as CurveModel).g(xFuture);
      this.gEndX = xFuture;
    }
    const wFuture = weightAt(xFuture);
    const scale = Math.max(Math.abs(this.yMax), Math.abs(this.yMin), this.yMax - this.yMin, 1e-12);
    const ssrFloor = (NOISE_FLOOR * scale) ** 2 * this.s0;
    const { s0, t0, tyy } = this;
    const logN = Math.log(n);
    const fit = this.scratch;
    let count = 0;
    let maxLog = Number.NEGATIVE_INFINITY;

    for (let i = 0; i < MODEL_COUNT; i++) {
      const m = CURVE_MODELS[i] as CurveModel;
      const dof = n - m.k;
      if (dof < 1) continue;
      let a: number;
      let beta = 0;
      let ssr: number;
      let det = 0;
      const s1 = this.s1[i] as number;
      const s2 = this.s2[i] as number;
      const t1 = this.t1[i] as number;
      if (m.k === 1) {
        a = t0 / s0;
        ssr = tyy - a * t0;
      } else {
        det = s0 * s2 - s1 * s1;
        if (!(det > 1e-12 * s0 * s2)) continue; // x's too close together to tell b from a
        a = (s2 * t0 - s1 * t1) / det;
        beta = (s0 * t1 - s1 * t0) / det;
        ssr = tyy - a * t0 - beta * t1;
      }
      if (!Number.isFinite(a) || !Number.isFinite(beta)) continue;
      if (!(ssr > ssrFloor)) ssr = ssrFloor;
      const sigma2 = ssr / dof;
      const logWeight = -(n * Math.log(ssr / s0) + m.k * logN) / 2 + m.logPrior;
      // Every g is increasing in x, so a model rises iff β >= 0: its best future value is at
      // the end if rising, right now if falling; its best fitted value so far at the last or
      // the first point.
      let value: number;
      let past: number;
      let valueVar: number;
      let gainVar = 0;
      if (m.k === 1) {
        value = past = a;
        valueVar = sigma2 / s0;
      } else {
        const rising = beta >= 0;
        const gFuture = rising ? (this.gEnd[i] as number) : (this.gLast[i] as number);
        const gPast = rising ? (this.gLast[i] as number) : (this.gFirst[i] as number);
        value = a + beta * gFuture;
        past = a + beta * gPast;
        // Var(a + β·g) = σ²·[1 g] M⁻¹ [1 g]ᵀ; Var(β·Δg) = σ²·Δg²·S0/det.
        valueVar = (sigma2 * (s2 - 2 * gFuture * s1 + gFuture * gFuture * s0)) / det;
        const dg = gFuture - gPast;
        gainVar = (sigma2 * dg * dg * s0) / det;
      }
      value = Math.min(hi, Math.max(lo, value));
      past = Math.min(hi, Math.max(lo, past));
      const o = count * FIELDS;
      fit[o] = i;
      fit[o + 1] = a;
      fit[o + 2] = beta;
      fit[o + 3] = logWeight;
      fit[o + 4] = value;
      fit[o + 5] = valueVar;
      fit[o + 6] = sigma2 / wFuture;
      fit[o + 7] = past;
      fit[o + 8] = gainVar;
      fit[o + 9] = sigma2;
      count += 1;
      if (logWeight > maxLog) maxLog = logWeight;
    }
    if (count === 0) return null;

    let total = 0;
    for (let j = 0; j < count; j++) {
      const w = Math.exp((fit[j * FIELDS + 3] as number) - maxLog);
      fit[j * FIELDS + 3] = w;
      total += w;
    }
    let value = 0;
    let past = 0;
    for (let j = 0; j < count; j++) {
      const o = j * FIELDS;
      const w = (fit[o + 3] as number) / total;
      fit[o + 3] = w;
      value += w * (fit[o + 4] as number);
      past += w * (fit[o + 7] as number);
    }
    const gainMean = value - past;
    let noiseVar = 0;
    let paramVar = 0;
    let disagreement = 0;
    let gainVar = 0;
    for (let j = 0; j < count; j++) {
      const o = j * FIELDS;
      const w = fit[o + 3] as number;
      const v = fit[o + 4] as number;
      const gain = v - (fit[o + 7] as number);
      noiseVar += w * (fit[o + 6] as number);
      paramVar += w * (fit[o + 5] as number);
      disagreement += w * (v - value) ** 2;
      gainVar += w * ((fit[o + 8] as number) + (gain - gainMean) ** 2);
    }

    const models: ModelForecast[] = [];
    if (options.models) {
      for (let j = 0; j < count; j++) {
        const o = j * FIELDS;
        const m = CURVE_MODELS[fit[o] as number] as CurveModel;
        const beta = fit[o + 2] as number;
        models.push({
          family: m.family,
          c: m.c,
          a: fit[o + 1] as number,
          b: m.family === 'log' ? beta : -beta,
          weight: fit[o + 3] as number,
          value: fit[o + 4] as number,
          gain: (fit[o + 4] as number) - (fit[o + 7] as number),
          residualSd: Math.sqrt(fit[o + 9] as number),
        });
      }
    }

    return {
      n,
      value: {
        mean: value,
        sd: Math.sqrt(noiseVar + paramVar + disagreement),
        noiseSd: Math.sqrt(noiseVar),
        paramSd: Math.sqrt(paramVar),
        disagreementSd: Math.sqrt(disagreement),
      },
      gain: { mean: gainMean, sd: Math.sqrt(gainVar) },
      fittedBest: past,
      models,
    };
  }
}

/** One-shot fit of a whole curve (the policy keeps a CurveFitter and adds points instead). */
export function fitCurve(points: readonly CurvePoint[], options: ForecastOptions = {}): CurveForecast | null {
  const fitter = new CurveFitter();
  for (const p of points) fitter.add(p);
  return fitter.forecast({ ...options, models: true });
}
