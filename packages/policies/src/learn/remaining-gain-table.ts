import { CHANCE_SHARE } from '../policies/left-chance';
import type { Curve } from '../replay/curve';
import type { CurveKind } from './curve-kind';
import { TOLERANCE_GRID } from './plateau-table';
import { boundLeftChance, RemainingGainBound } from './remaining-gain';
import { chooseRule, MEAN_RISK_RULE, type RiskTable } from './risk-control';

/** Windows of the remaining-gain bound (budget fractions) history chooses among. */
export const BOUND_WINDOWS: readonly number[] = [0.1, 0.15, 0.2, 0.3];
/** Multipliers of the run's own noise σ in the bound history chooses among. */
export const BOUND_NOISES: readonly number[] = [1, 2, 3];
/**
 * Thresholds on the bound (metric units), conservative first: 0 never stops a run, then the
 * plateau rule's tolerance grid. A run stops once its bound is ≤ the threshold, so the stops
 * depend on the threshold alone, not on the tolerance it is chosen for.
 */
export const BOUND_THRESHOLDS: readonly number[] = [0, ...TOLERANCE_GRID];

/**
 * The remaining-gain bound's settings (`learn/remaining-gain.ts`): stop a run judged alone once
 * gain over the last `window` × remaining / `window` + `noise` × σ ≤ `threshold`.
 */
export interface RemainingGainRule {
  window: number;
  noise: number;
  /** In the metric's own units. */
  threshold: number;
}

/**
 * The settings without history, or with a model from before these tables: a fifth of the budget
 * looked back over, two of the run's own σ of margin, and the bound held to the tolerance itself.
 */
export const DEFAULT_REMAINING_GAIN = { window: 0.2, noise: 2, shareOfTolerance: 1 } as const;

/**
 * What the bound lost and saved on history's tasks, each run stopped alone: `loss[w][k][task][θ]`
 * the mean loss of the task's runs under window `windows[w]`, noise multiplier `noises[k]` and
 * threshold `thresholds[θ]` (metric units), `saved` the share of the task's tokens saved.
 */
export interface RemainingGainTables {
  windows: number[];
  noises: number[];
  thresholds: number[];
  tasks: string[];
  loss: number[][][][];
  saved: number[][][][];
}

/**
 * Where the bound stops one curve, per window × noise × threshold (eval indices); `thresholds`
 * ascending.
 */
export function remainingGainStops(
  curve: Curve,
  windows: readonly number[],
  noises: readonly number[],
  thresholds: readonly number[],
): Int32Array[][] {
  const n = curve.evals.length;
  const extrapolated = new Float64Array(n);
  const sigma = new Float64Array(n);
  const out = new Uint8Array(n);
  const prefixMin = new Float64Array(n);
  return windows.map((window) => {
    const bound = new RemainingGainBound(curve.mode, window, curve.budgetTokens);
    const most = Math.max(0, ...thresholds);
    curve.evals.forEach((e, i) => {
      extrapolated[i] = bound.push(e);
      // Over every threshold already, whatever σ: no need to measure it.
      sigma[i] = (extrapolated[i] as number) <= most ? bound.sigma() : Number.POSITIVE_INFINITY;
      out[i] = boundLeftChance(curve.evals, bound.bestSoFar, curve.mode, CHANCE_SHARE) ? 1 : 0;
    });
    return noises.map((k) => {
      // The smallest bound seen so far: the run stops at the first eval where it is ≤ θ.
      let min = Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        const b = (extrapolated[i] as number) + k * (sigma[i] as number);
        if (out[i] === 1 && b < min) min = b;
        prefixMin[i] = min;
      }
      // The smallest bound only falls and a larger threshold is met no later: one pass serves all.
      const stops = new Int32Array(thresholds.length).fill(n - 1);
      let q = thresholds.length - 1;
      for (let i = 0; i < n && q >= 0; i++) {
        for (; q >= 0; q--) {
          const theta = thresholds[q] as number;
          if (!(theta > 0) || !((prefixMin[i] as number) <= theta)) break;
          stops[q] = i;
        }
      }
      return stops;
    });
  });
}

/** Scores the bound on history, task by task (see `RemainingGainTables`). */
export function remainingGainTables(curves: readonly Curve[]): RemainingGainTables {
  const windows = [...BOUND_WINDOWS];
  const noises = [...BOUND_NOISES];
  const thresholds = [...BOUND_THRESHOLDS];
  const tasks = [...new Set(curves.map((c) => c.task))].sort();
  const index = new Map(tasks.map((t, i) => [t, i]));
  const cells = () => windows.map(() => noises.map(() => tasks.map(() => thresholds.map(() => 0))));
  const loss = cells();
  const used = cells();
  const runs = tasks.map(() => 0);
  const full = tasks.map(() => 0);
  for (const c of curves) {
    const t = index.get(c.task) as number;
    const sign = c.mode === 'max' ? 1 : -1;
    const best: number[] = [];
    for (const e of c.evals) best.push(Math.max(best.at(-1) ?? Number.NEGATIVE_INFINITY, sign * e.value));
    const last = c.evals.length - 1;
    runs[t] = (runs[t] as number) + 1;
    full[t] = (full[t] as number) + (c.evals[last]?.tokens as number);
    const stops = remainingGainStops(c, windows, noises, thresholds);
    for (let w = 0; w < windows.length; w++)
      for (let k = 0; k < noises.length; k++) {
        const l = loss[w]?.[k]?.[t] as number[];
        const u = used[w]?.[k]?.[t] as number[];
        stops[w]?.[k]?.forEach((stop, q) => {
          l[q] = (l[q] as number) + (best[last] as number) - (best[stop] as number);
          u[q] = (u[q] as number) + (c.evals[stop]?.tokens as number);
        });
      }
  }
  const per = (f: (w: number, k: number, t: number, q: number) => number) =>
    windows.map((_, w) => noises.map((_, k) => tasks.map((_, t) => thresholds.map((_, q) => f(w, k, t, q)))));
  return {
    windows,
    noises,
    thresholds,
    tasks,
    loss: per((w, k, t, q) => (loss[w]?.[k]?.[t]?.[q] as number) / (runs[t] as number)),
    saved: per((w, k, t, q) => 1 - (used[w]?.[k]?.[t]?.[q] as number) / (full[t] as number)),
  };
}

/**
 * The most aggressive threshold of one window × noise whose loss history bounds within
 * `tolerance`: the mean risk rule's upper bound over all of history's tasks (the bound is in each
 * run's own units and direction, so a task of any kind of curve judges it), and the same bound
 * over the tasks of each metric kind of history alone (its mean where it holds only one), so that
 * no kind pays for the others' slack. Index into `thresholds`, or null.
 */
function thresholdIndex(table: RiskTable, kindOfUnit: readonly string[], tolerance: number): number | null {
  let index = chooseRule(table, tolerance, undefined, MEAN_RISK_RULE).index;
  for (const kind of new Set(kindOfUnit)) {
    if (index === null) return null;
    const weights = kindOfUnit.map((k) => (k === kind ? 1 : 0));
    const units = table.units.filter((_, u) => weights[u] === 1);
    let own: number | null;
    if (units.length >= 2)
      own = chooseRule(table, tolerance, weights, { ...MEAN_RISK_RULE, minUnits: 2 }).index;
    else {
      own = null;
      for (let q = 0; q < table.params.length && (units[0]?.losses[q]?.[0] ?? 0) <= tolerance; q++) own = q;
    }
    index = own === null ? null : Math.min(index, own);
  }
  return index;
}

/**
 * The remaining-gain rule for a run judged alone at `tolerance`, chosen on history's tables: for
 * each window × noise, the most aggressive threshold whose loss history bounds (`thresholdIndex`),
 * and of those the one that saved history's tasks the most tokens on average. With `atMost`, only
 * its window and noise, and thresholds up to its own: history may then make the rule more cautious,
 * never bolder. Null when none stops anything: history supports no stop, the run trains to its
 * budget.
 */
export function remainingGainRule(
  tables: RemainingGainTables,
  kinds: Readonly<Record<string, CurveKind>>,
  tolerance: number,
  atMost?: RemainingGainRule,
): RemainingGainRule | null {
  const kindOfUnit = tables.tasks.map((t) => kinds[t]?.metric ?? '');
  let chosen: { rule: RemainingGainRule; saved: number } | null = null;
  for (const [w, window] of tables.windows.entries())
    for (const [k, noise] of tables.noises.entries()) {
      if (atMost && (window !== atMost.window || noise !== atMost.noise)) continue;
      const thresholds = tables.thresholds.filter((x) => !atMost || x <= atMost.threshold * (1 + 1e-9));
      const table: RiskTable = {
        params: thresholds,
        units: tables.tasks.map((name, t) => ({
          name,
          losses: thresholds.map((_, q) => [tables.loss[w]?.[k]?.[t]?.[q] as number]),
          saved: tables.saved[w]?.[k]?.[t] ?? [],
        })),
      };
      const q = thresholdIndex(table, kindOfUnit, tolerance);
      const threshold = q === null ? 0 : (thresholds[q] as number);
      if (q === null || !(threshold > 0)) continue;
      const saved = table.units.reduce((s, u) => s + (u.saved[q] as number), 0) / table.units.length;
      if (!chosen || saved > chosen.saved) chosen = { rule: { window, noise, threshold }, saved };
    }
  return chosen?.rule ?? null;
}
