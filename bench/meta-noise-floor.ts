// How low can the error of a predicted peak go at all on the accuracy dev curves, whatever the
// predictor? Issue 13 (c) asks the meta-learner's median error after 10% of the budget to be
// ≥ 25% below its error before the run starts. On the accuracy curves a run's peak is often the
// highest eval on a noisy plateau, so part of where it falls is the noise of the evals still to
// come, which no predictor sees. This bench estimates that part with a noise model fitted to each
// run's own whole curve, and gives a predictor far more than any real one has: the run's true
// (smoothed) curve over its whole budget.
//
// Per scored run (the fixed sample of at most 40 runs per task that bench/meta-relevance.ts
// scores): the smooth curve s is a centred running mean of its evals (half-widths 1, 2, 4, 8 evals);
// the noise is either Gaussian with the run's eval-to-eval σ (median |Δ| × 1.4826 / √2, the
// policies' noise) or the run's own residuals v − s drawn with replacement. R replicates
// s + noise each give a peak (first best eval, as a fraction of the budget, as the meta-learner
// scores it). Two numbers per setting:
// - floor: the least m such that some prediction per run lies within m of the replicates' peak
//   with probability ≥ 1/2 pooled over the runs, i.e. the least pooled median absolute error any
//   predictor can expect when it knows s exactly (per run, the densest window of width 2m);
// - calibration: how often the run's real peak lies within its replicates' central 80% (the model
//   is plausible near 80%; far above it, the smooth curve still holds the real noise's peak, which
//   makes the floor too low, not too high).
// The floor is a bound under the model, not a proof: evals whose noise is correlated, or a smooth
// curve that hides a real late rise, move it. Nothing is chosen: every setting is printed.
//
//   nice -n 10 npx tsx bench/meta-noise-floor.ts [CURVES.jsonl...]   (default: ../shared/curves/dev/*.jsonl)
import { chooseRepresentatives } from '@curfew/meta';
import { type Curve, mulberry32 } from '@curfew/policies';
import { hostLine, printTable } from './bench-support';
import { benchCurves } from './curve-files';
import { kindOf, median, peakFraction } from './meta-scoring';

const curves: Curve[] = benchCurves('meta-noise-floor.ts', process.argv.slice(2));
const PER_TASK = 40;
const REPLICATES = 400;
const HALF_WIDTHS = [1, 2, 4, 8] as const;
const NOISES = ['gaussian σ', 'residuals'] as const;
/** Issue 13's aim (c) against the meta-learner's measured error before a run starts. */
const MEASURED_BEFORE = 0.072;

const accuracy = curves.filter((c) => kindOf(c.metric) === 'accuracy');
const scored = new Set(
  chooseRepresentatives(
    accuracy.map((c) => ({ runId: c.id, task: c.task })),
    { maxRunsPerTask: PER_TASK, maxRuns: Number.POSITIVE_INFINITY },
  ).map((r) => r.runId),
);
const runs = accuracy.filter((c) => scored.has(c.id) && c.evals.length >= 3);

function runningMean(values: readonly number[], half: number): number[] {
  return values.map((_, i) => {
    const from = Math.max(0, i - half);
    const to = Math.min(values.length - 1, i + half);
    let sum = 0;
    for (let j = from; j <= to; j++) sum += values[j] as number;
    return sum / (to - from + 1);
  });
}

function evalNoise(values: readonly number[]): number {
  const diffs = values.slice(1).map((v, i) => Math.abs(v - (values[i] as number)));
  return (median(diffs) * 1.4826) / Math.SQRT2;
}

/** Standard normal draws (Box–Muller) from a seeded uniform. */
function normal(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** The replicates' peaks (fractions of the budget), sorted. */
function replicatePeaks(c: Curve, half: number, noise: (typeof NOISES)[number], seed: number): number[] {
  const uniform = mulberry32(seed);
  const gauss = normal(uniform);
  const values = c.evals.map((e) => e.value);
  const smooth = runningMean(values, half);
  const residuals = values.map((v, i) => v - (smooth[i] as number));
  const sigma = evalNoise(values);
  const sign = c.mode === 'max' ? 1 : -1;
  const peaks: number[] = [];
  for (let r = 0; r < REPLICATES; r++) {
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    smooth.forEach((s, i) => {
      const e =
        noise === 'residuals'
          ? (residuals[Math.floor(uniform() * residuals.length)] as number)
          : sigma * gauss();
      const x = sign * (s + e);
      if (x > bestValue) {
        bestValue = x;
        best = i;
      }
    });
    peaks.push(Math.min(1, Math.max(0, (c.evals[best]?.tokens as number) / c.budgetTokens)));
  }
  return peaks.sort((a, b) => a - b);
}

/** The largest share of sorted `xs` inside one window of width 2m. */
function densestShare(xs: readonly number[], m: number): number {
  let best = 0;
  let first = 0;
  for (let last = 0; last < xs.length; last++) {
    while ((xs[last] as number) - (xs[first] as number) > 2 * m + 1e-12) first++;
    best = Math.max(best, last - first + 1);
  }
  return best / xs.length;
}

/** Least m whose densest windows hold half of the pooled chance (bisection to 1e-4). */
function floorOf(all: readonly (readonly number[])[]): number {
  const share = (m: number) => all.reduce((s, xs) => s + densestShare(xs, m), 0) / all.length;
  let lo = 0;
  let hi = 1;
  while (hi - lo > 1e-4) {
    const mid = (lo + hi) / 2;
    if (share(mid) >= 0.5) hi = mid;
    else lo = mid;
  }
  return hi;
}

const quantile = (xs: readonly number[], q: number) =>
  xs[Math.min(xs.length - 1, Math.max(0, Math.round(q * (xs.length - 1))))] as number;

const tasks = [...new Set(runs.map((c) => c.task))];
console.log(
  `accuracy dev curves: ${runs.length} scored runs (≤ ${PER_TASK} per task, ≥ 3 evals) in ${tasks.length} tasks; ` +
    `${REPLICATES} replicates per run and setting`,
);
const realPeaks = runs.map(peakFraction);
const rows: string[][] = [];
const perTask = new Map<string, string[]>();
for (const noise of NOISES) {
  for (const half of HALF_WIDTHS) {
    const all = runs.map((c, i) => replicatePeaks(c, half, noise, 1000 + i));
    const floor = floorOf(all);
    let covered = 0;
    all.forEach((xs, i) => {
      const p = realPeaks[i] as number;
      if (p >= quantile(xs, 0.1) - 1e-12 && p <= quantile(xs, 0.9) + 1e-12) covered++;
    });
    const late = all.reduce((s, xs) => s + xs.filter((x) => x > 0.8).length / xs.length, 0) / all.length;
    rows.push([
      noise,
      String(2 * half + 1),
      floor.toFixed(3),
      `${(100 * (1 - floor / MEASURED_BEFORE)).toFixed(1)}%`,
      `${((100 * covered) / runs.length).toFixed(1)}%`,
      `${(100 * late).toFixed(1)}%`,
    ]);
    for (const task of tasks) {
      const mine = all.filter((_, i) => runs[i]?.task === task);
      const row = perTask.get(task) ?? [];
      row.push(floorOf(mine).toFixed(3));
      perTask.set(task, row);
    }
  }
}
const realLate = realPeaks.filter((p) => p > 0.8).length / realPeaks.length;
console.log(
  `\nthe floor under each noise model (a predictor that knows each run's smooth curve cannot expect a lower ` +
    `pooled median error); the meta-learner's error before a run starts is ${MEASURED_BEFORE} ` +
    `(bench/meta-relevance.ts, history of all 37 tasks), so (c) needs ≤ ${(0.75 * MEASURED_BEFORE).toFixed(3)} at 10%`,
);
printTable(
  [
    'noise',
    'smooth over (evals)',
    'floor',
    'below before at best',
    'real peak in central 80%',
    'peaks after 80%',
  ],
  rows,
);
console.log(`real peaks after 80% of the budget: ${(100 * realLate).toFixed(1)}% of the scored runs`);
console.log('\nthe floor per task (columns as the rows above, in order)');
printTable(
  [
    'task',
    'runs',
    ...NOISES.flatMap((n) => HALF_WIDTHS.map((h) => `${n === 'residuals' ? 'res' : 'σ'} ${2 * h + 1}`)),
  ],
  tasks.map((t) => [t, String(runs.filter((c) => c.task === t).length), ...(perTask.get(t) ?? [])]),
);
console.log(hostLine());
