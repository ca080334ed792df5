import { CHANCE_SHARE, leftChance } from '../policies/left-chance';
import type { Curve } from '../replay/curve';
import type { RiskTable } from './risk-control';

/**
 * Tolerances at which history is scored for the plateau rule (`policies/plateau.ts`, whose `gain`
 * is the tolerance itself): a tolerance between two of them is treated as the lower one, which
 * stops no earlier than the tolerance asks. Below the first, the rule never stops a run.
 */
export const TOLERANCE_GRID: readonly number[] = [
  0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1,
  0.15, 0.2, 0.3, 0.5,
];

/** Windows of the plateau rule (budget fractions), conservative first: 1 never stops a run. */
export const PLATEAU_WINDOWS: readonly number[] = [
  1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.075, 0.05,
];

/** A group's runs whose losses bound its regret when its survivors stop on a plateau. */
const LEADERS = 3;
const TOKENS_EPS = 1e-9;

/**
 * What the plateau rule lost on history, per tolerance of `TOLERANCE_GRID` and window of
 * `PLATEAU_WINDOWS`:
 * - `runs[t][task][w]`: the mean loss of a task's runs, each stopped alone (run scope), and
 *   `runSaved` the tokens saved;
 * - `leaders[t][group][w]`: the largest loss among the group's `LEADERS` best runs (by their
 *   full-budget best): what stopping an experiment's surviving runs on a plateau can add to its
 *   regret.
 * The rule has nothing learned in it, so no unit is judged by anything fitted on itself.
 */
export interface PlateauTables {
  tolerances: number[];
  windows: number[];
  tasks: string[];
  groups: string[];
  runs: number[][][];
  runSaved: number[][][];
  leaders: number[][][];
}

/** Where the plateau rule stops one curve, for every window × tolerance: `[w][t]`, eval indices. */
export function plateauStops(
  curve: Curve,
  windows: readonly number[],
  tolerances: readonly number[],
  chanceShare = CHANCE_SHARE,
): Int32Array[] {
  const sign = curve.mode === 'max' ? 1 : -1;
  const n = curve.evals.length;
  const budget = curve.budgetTokens;
  const best = new Float64Array(n);
  let b = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = sign * (curve.evals[i]?.value as number);
    if (v > b) b = v;
    best[i] = b;
  }
  // Once a run has left chance it stays out (its best never falls): it may stop from here on.
  let from0 = 0;
  const first = curve.evals[0]?.value as number;
  while (from0 < n && !leftChance(first, best[from0] as number, curve.mode, chanceShare)) from0++;
  return windows.map((window) => {
    const stops = new Int32Array(tolerances.length).fill(n - 1);
    if (!(window < 1)) return stops;
    // The smallest gain over the window seen up to each eval: the rule stops at the first eval
    // where it is ≤ the tolerance, so one pass serves every tolerance.
    const prefixMin = new Float64Array(n);
    let from = -1;
    let bestAtFrom = Number.NEGATIVE_INFINITY;
    let min = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const tokens = curve.evals[i]?.tokens as number;
      if (tokens >= window * budget * (1 - TOKENS_EPS)) {
        const start = tokens - window * budget;
        while (from + 1 < n && (curve.evals[from + 1]?.tokens as number) <= start + TOKENS_EPS * budget) {
          from++;
          const v = sign * (curve.evals[from]?.value as number);
          if (v > bestAtFrom) bestAtFrom = v;
        }
        const gap = (best[i] as number) - bestAtFrom;
        if (from >= 0 && i >= from0 && gap < min) min = gap;
      }
      prefixMin[i] = min;
    }
    tolerances.forEach((t, q) => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((prefixMin[mid] as number) <= t) hi = mid;
        else lo = mid + 1;
      }
      if (lo < n) stops[q] = lo;
    });
    return stops;
  });
}

/** One run under every window × tolerance (flat by [tolerance][window]): its losses and tokens used. */
function scoreRun(curve: Curve, windows: readonly number[], tolerances: readonly number[]) {
  const sign = curve.mode === 'max' ? 1 : -1;
  const best: number[] = [];
  for (const e of curve.evals) best.push(Math.max(best.at(-1) ?? Number.NEGATIVE_INFINITY, sign * e.value));
  const last = curve.evals.length - 1;
  const final = best[last] as number;
  const W = windows.length;
  const losses = new Float64Array(tolerances.length * W);
  const used = new Float64Array(tolerances.length * W);
  plateauStops(curve, windows, tolerances).forEach((byTolerance, w) => {
    byTolerance.forEach((stop, q) => {
      losses[q * W + w] = final - (best[stop] as number);
      used[q * W + w] = curve.evals[stop]?.tokens as number;
    });
  });
  return { final, losses, used, full: curve.evals[last]?.tokens as number };
}

/** Scores the plateau rule on history (see `PlateauTables`). */
export function plateauTables(curves: readonly Curve[]): PlateauTables {
  const tolerances = [...TOLERANCE_GRID];
  const windows = [...PLATEAU_WINDOWS];
  const tasks = [...new Set(curves.map((c) => c.task))].sort();
  const groups = [...new Set(curves.map((c) => c.group))].sort();
  const cells = tolerances.length * windows.length;
  const taskIndex = new Map(tasks.map((t, i) => [t, i]));
  // Per task, sums over its runs (flat by [tolerance][window]); per group, its runs.
  const sums = tasks.map(() => ({
    runs: 0,
    loss: new Float64Array(cells),
    used: new Float64Array(cells),
    full: 0,
  }));
  const perGroup = new Map<string, ReturnType<typeof scoreRun>[]>();
  for (const c of curves) {
    const run = scoreRun(c, windows, tolerances);
    const sum = sums[taskIndex.get(c.task) as number] as (typeof sums)[number];
    sum.runs++;
    sum.full += run.full;
    for (let i = 0; i < cells; i++) {
      sum.loss[i] = (sum.loss[i] as number) + (run.losses[i] as number);
      sum.used[i] = (sum.used[i] as number) + (run.used[i] as number);
    }
    perGroup.set(c.group, [...(perGroup.get(c.group) ?? []), run]);
  }
  const nested = (units: number, f: (k: number, cell: number) => number) =>
    tolerances.map((_, q) =>
      Array.from({ length: units }, (_, k) => windows.map((_, w) => f(k, q * windows.length + w))),
    );
  const leadersOf = groups.map((g) =>
    [...(perGroup.get(g) ?? [])].sort((a, b) => b.final - a.final).slice(0, LEADERS),
  );
  const sum = (k: number) => sums[k] as (typeof sums)[number];
  return {
    tolerances,
    windows,
    tasks,
    groups,
    runs: nested(tasks.length, (k, i) => (sum(k).loss[i] as number) / sum(k).runs),
    runSaved: nested(tasks.length, (k, i) => 1 - (sum(k).used[i] as number) / sum(k).full),
    leaders: nested(groups.length, (g, i) =>
      Math.max(0, ...(leadersOf[g] ?? []).map((r) => r.losses[i] as number)),
    ),
  };
}

/** The grid tolerance a plateau rule runs at for `tolerance`: the largest not above it, or null. */
export function gridTolerance(tables: PlateauTables, tolerance: number): number | null {
  let at: number | null = null;
  for (const t of tables.tolerances) if (t <= tolerance * (1 + 1e-9)) at = t;
  return at;
}

/**
 * What the plateau rule lost on history at the grid tolerance for `tolerance`, as a risk table
 * (units: tasks for runs judged alone, groups for an experiment's leading runs), with that grid
 * tolerance (the rule's `gain`); null below the grid.
 */
export function plateauRiskTable(
  tables: PlateauTables,
  tolerance: number,
  scope: 'runs' | 'leaders',
): { table: RiskTable; gain: number } | null {
  const gain = gridTolerance(tables, tolerance);
  if (gain === null) return null;
  const q = tables.tolerances.indexOf(gain);
  const names = scope === 'runs' ? tables.tasks : tables.groups;
  const table: RiskTable = {
    params: tables.windows,
    units: names.map((name, k) => ({
      name,
      losses: ((tables[scope][q]?.[k] as number[]) ?? []).map((l) => [l]),
      saved: scope === 'runs' ? ((tables.runSaved[q]?.[k] as number[]) ?? []) : [],
    })),
  };
  return { table, gain };
}
