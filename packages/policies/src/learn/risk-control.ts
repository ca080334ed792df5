/**
 * Choosing how aggressive a stopping rule may be from what a family of such rules lost on history,
 * so that the tolerance holds on a task history has not seen, not merely on average over history.
 *
 * A family is a list of rules ordered from the most conservative (index 0, which stops nothing, so
 * it loses nothing) to the most aggressive. History gives, per unit (a task or an experiment of
 * history, each judged by rules and models that never saw it), the loss of every rule in the
 * unit's own metric. The rule chosen for a tolerance t is found by Learn-then-Test with fixed-
 * sequence testing (Angelopoulos, Bates, Candès, Jordan, Lei 2021): rules are tested in order,
 * and the last one before the first that fails is chosen. A rule passes when both
 * - the upper confidence bound of its mean loss (in units of t; a unit replayed in several
 *   conditions counts with its mean over them) over history's units is at most 1:
 *   mean + z · sd / √n_eff ≤ 1, z the one-sided normal quantile of `confidence` (a CLT p-value,
 *   as Learn-then-Test allows; heavy-tailed losses widen it, as they should); and
 * - conformal risk control (Angelopoulos, Bates, Fisch, Lei, Schuster 2022) of the share of units
 *   losing more than `tailMultiple` × t, a loss bounded by 1: (Σ w·[loss > m·t] + 1) / (Σ w + 1) ≤
 *   `tailShare` (a unit replayed in several conditions counts with the share of them in which
 *   it lost more). The "+ 1" is the new task itself, counted as if it lost: with fewer than
 *   1 / tailShare − 1 units of history nothing passes, not even rule 0.
 * With fewer than `minUnits` (effective) units nothing passes either. When nothing passes,
 * history cannot support the tolerance (`index: null`) and the caller falls back to its robust
 * default.
 *
 * Units may be weighted (default 1 each): a prior that says how much each unit of history resembles
 * the new task (the meta-learner's predictions, similarity of early curves or noise) plugs in here,
 * as in weighted conformal prediction under covariate shift (Tibshirani et al. 2019). Weights that
 * discount most of history make the bounds wider and the choice more conservative.
 */
export interface RiskTable {
  /** The family's parameter for each rule, conservative first (for reports). */
  params: number[];
  units: RiskUnit[];
}

export interface RiskUnit {
  name: string;
  /**
   * The unit's losses under each rule (aligned with `params`), in its own metric's units: one per
   * condition it was replayed in (run orders, worker counts), or a single one.
   */
  losses: number[][];
  /** Tokens the unit saved under each rule, as a share of its full tokens (for reports). */
  saved: number[];
}

export interface RiskRule {
  /** One-sided confidence of the mean-loss bound. @defaultValue 0.9 */
  confidence: number;
  /** Fewest (effective) units of history with which any rule may pass. @defaultValue 9 */
  minUnits: number;
  /**
   * Largest share of units allowed to lose more than `tailMultiple` × tolerance (1: no tail
   * test, only the mean's bound). @defaultValue 0.1
   */
  tailShare: number;
  /** @defaultValue 2 */
  tailMultiple: number;
}

/**
 * The targets issue 12 sets across an experiment: mean loss within the tolerance, at most one unit
 * in ten beyond twice it. Nine units are the fewest with which the tail test can pass at all.
 */
export const DEFAULT_RISK_RULE: RiskRule = { confidence: 0.9, minUnits: 9, tailShare: 0.1, tailMultiple: 2 };

/** For runs judged alone, where the target is the mean loss: its bound alone, on as many units. */
export const MEAN_RISK_RULE: RiskRule = { ...DEFAULT_RISK_RULE, tailShare: 1 };

export interface RiskChoice {
  /** The most aggressive rule that passed, or null when none did (history cannot support it). */
  index: number | null;
  /** Effective number of units behind the choice (Kish: (Σw)² / Σw²). */
  units: number;
}

/** One-sided standard normal quantile (Acklam's rational approximation; |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (k: number[], x: number) => k.reduce((s, v) => s * x + v, 0);
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** Whether the rule at `index` passes both tests for `tolerance` (see the file's comment). */
function passes(
  units: readonly RiskUnit[],
  weights: readonly number[],
  index: number,
  tolerance: number,
  rule: RiskRule,
  z: number,
): boolean {
  let sw = 0;
  let sw2 = 0;
  let mean = 0;
  let over = 0;
  const xs = units.map((u) => {
    const ls = u.losses[index] ?? [];
    let m = 0;
    let tail = 0;
    for (const l of ls) {
      m += l / tolerance;
      if (l > rule.tailMultiple * tolerance) tail++;
    }
    return ls.length === 0
      ? { mean: Number.POSITIVE_INFINITY, tail: 1 }
      : { mean: m / ls.length, tail: tail / ls.length };
  });
  xs.forEach((x, k) => {
    const w = weights[k] as number;
    sw += w;
    sw2 += w * w;
    mean += w * x.mean;
    over += w * x.tail;
  });
  if (!(sw > 0)) return false;
  if (rule.tailShare < 1 && (over + 1) / (sw + 1) > rule.tailShare) return false;
  mean /= sw;
  let ss = 0;
  xs.forEach((x, k) => {
    ss += (weights[k] as number) * (x.mean - mean) ** 2;
  });
  const n = (sw * sw) / sw2;
  const sd = n > 1 ? Math.sqrt((ss / sw) * (n / (n - 1))) : Number.POSITIVE_INFINITY;
  return mean + (z * sd) / Math.sqrt(n) <= 1;
}

/**
 * The most aggressive rule of `table` whose loss history bounds within `tolerance` (Learn-then-Test,
 * fixed sequence from rule 0). `weights` (one per unit, ≥ 0) default to 1.
 */
export function chooseRule(
  table: RiskTable,
  tolerance: number,
  weights?: readonly number[],
  rule: RiskRule = DEFAULT_RISK_RULE,
): RiskChoice {
  const w = weights ?? table.units.map(() => 1);
  if (w.length !== table.units.length) {
    throw new RangeError(`chooseRule: ${w.length} weights for ${table.units.length} units`);
  }
  const sw = w.reduce((a, b) => a + b, 0);
  const sw2 = w.reduce((a, b) => a + b * b, 0);
  const units = sw2 > 0 ? (sw * sw) / sw2 : 0;
  if (!(tolerance > 0) || units < rule.minUnits - 1e-9) return { index: null, units };
  const z = normalQuantile(rule.confidence);
  let index: number | null = null;
  for (let q = 0; q < table.params.length; q++) {
    if (!passes(table.units, w, q, tolerance, rule, z)) break;
    index = q;
  }
  return { index, units };
}
