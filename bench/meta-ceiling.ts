// How much does a run's first 10% (and 30%) of the budget say about where it will peak, on the
// accuracy dev curves? Issue 13 (c) asks the meta-learner's error after 10% of the budget to be
// ≥ 25% below its error before the run starts; on these curves it is 0% below. This bench gives
// every scored run what no leave-task-out predictor has, the other runs of its own task (leave one
// run out), and predicts its peak from them in three ways, side by side, each at several settings,
// none chosen:
// - before it starts: from all of them, equally weighted;
// - kernel: all of them, each weighted e^(−w·d), d the squared distance of its curve so far from
//   the run's own by the meta-learner's shape numbers (equal weights), for several w (w = 0 is
//   "before"); the best w is chosen in hindsight, on the runs scored, so it is optimistic;
// - k nearest by that distance, and, as the control for the smaller sample, k taken at random;
// - the same kernel and k nearest on the raw curve so far instead of the shape numbers: its values
//   at ten evenly spaced points up to the checkpoint (linear between evals), d the mean squared
//   difference over the median d of the task's runs (only evals up to the checkpoint are read; past
//   the last of them its value holds; a run with no eval by then weighs nothing), so whatever the
//   first part of the curve holds (a parametric curve model reads nothing else) is there to be matched.
// Every point is the midpoint of the densest half of the (weighted) peaks, as curfew_predict_stop's
// is; a run that peaked by the checkpoint stands for "peaked at the run's own best so far", as in
// the kernel; a run with no eval yet by the checkpoint gets its before-start prediction. Errors
// are median absolute errors of the peak's place (a fraction of the budget) over the fixed sample
// of at most 40 runs per task that bench/meta-relevance.ts scores. It is a reference for one
// family of predictors (the kernel's), not a bound on every predictor; it uses no config features.
//
//   nice -n 10 npx tsx bench/meta-ceiling.ts [CURVES.jsonl...]   (default: ../shared/curves/dev/*.jsonl)
import { type CurveShape, chooseRepresentatives, shapeAt } from '@curfew/meta';
import { type Curve, mulberry32 } from '@curfew/policies';
import { hostLine, printTable } from './bench-support';
import { benchCurves } from './curve-files';
import { below, kindOf, median, peakFraction } from './meta-scoring';

const curves: Curve[] = benchCurves('meta-ceiling.ts', process.argv.slice(2));
const CHECKPOINTS = [0.1, 0.3] as const;
const KS = [5, 10, 20, 40] as const;
const BANDWIDTHS = [1, 3, 10, 30, 100] as const;
const BINS = 100;
const PER_TASK = 40;
const EPSILON = 1e-9;

/** The midpoint of the narrowest run of bins holding half the weight (curfew_predict_stop's point). */
function densestHalfMidpoint(peaks: readonly number[], weights?: readonly number[]): number {
  const histogram = new Array<number>(BINS + 1).fill(0);
  let total = 0;
  peaks.forEach((p, i) => {
    const w = weights?.[i] ?? 1;
    const bin = Math.round(Math.min(1, Math.max(0, p)) * BINS);
    histogram[bin] = (histogram[bin] as number) + w;
    total += w;
  });
  const need = total / 2;
  let best: [number, number] = [0, BINS];
  for (let first = 0; first <= BINS; first++) {
    let mass = 0;
    for (let last = first; last <= BINS; last++) {
      mass += histogram[last] as number;
      if (mass >= need) {
        if (last - first < best[1] - best[0]) best = [first, last];
        break;
      }
    }
  }
  return (best[0] + best[1]) / (2 * BINS);
}

const shapeDistance = (a: CurveShape | null, b: CurveShape | null) =>
  a === null || b === null
    ? Number.POSITIVE_INFINITY
    : (a.bestRel - b.bestRel) ** 2 + (a.lastRel - b.lastRel) ** 2 + (a.trend - b.trend) ** 2;

interface RunInfo {
  id: string;
  peak: number;
  /** Null while the run has no eval by the checkpoint: it weighs nothing and is no one's neighbour. */
  raw: number[] | null;
}

/** The raw-curve kernel's points (one per bandwidth) and the raw k nearest's (one per k). */
function rawPoints<R extends RunInfo>(others: readonly R[], run: R, peakOf: (r: R) => number): number[] {
  const mine = run.raw as number[];
  const d = others.map((r) =>
    r.raw === null
      ? Number.POSITIVE_INFINITY
      : r.raw.reduce((s, v, i) => s + (v - (mine[i] as number)) ** 2, 0) / r.raw.length,
  );
  const scale = median(d.filter(Number.isFinite)) + EPSILON;
  const nearest = others
    .map((r, i) => ({ r, d: d[i] as number }))
    .sort((x, y) => x.d - y.d || (x.r.id < y.r.id ? -1 : 1));
  return [
    ...BANDWIDTHS.map((w) =>
      densestHalfMidpoint(
        others.map(peakOf),
        d.map((x) => (Number.isFinite(x) ? Math.exp((-w * x) / scale) : 0)),
      ),
    ),
    ...KS.map((k) => densestHalfMidpoint(nearest.slice(0, k).map(({ r }) => peakOf(r)))),
  ];
}

const accuracy = curves.filter((c) => kindOf(c.metric) === 'accuracy');
const tasks = [...new Set(accuracy.map((c) => c.task))];
const scored = new Set(
  chooseRepresentatives(
    accuracy.map((c) => ({ runId: c.id, task: c.task })),
    { maxRunsPerTask: PER_TASK, maxRuns: Number.POSITIVE_INFINITY },
  ).map((r) => r.runId),
);
const uniform = mulberry32(7);
const columns = [
  ...BANDWIDTHS.map((w) => `kernel w=${w}`),
  ...KS.map((k) => `nearest ${k}`),
  ...KS.map((k) => `random ${k}`),
  ...BANDWIDTHS.map((w) => `raw kernel w=${w}`),
  ...KS.map((k) => `raw nearest ${k}`),
];

/** The curve's values at ten evenly spaced points of the budget up to `at` (linear between evals). */
function rawCurve(c: Curve, at: number): number[] | null {
  const end = at * c.budgetTokens * (1 + EPSILON);
  const seen = c.evals.filter((e) => e.tokens <= end);
  if (seen.length === 0) return null;
  return Array.from({ length: 10 }, (_, i) => {
    const t = ((i + 1) / 10) * at * c.budgetTokens;
    const next = seen.findIndex((e) => e.tokens >= t);
    // Before the first eval: its value; past the last eval seen: the last value (nothing later is read).
    if (next === 0) return (seen[0] as Curve['evals'][number]).value;
    if (next < 0) return (seen.at(-1) as Curve['evals'][number]).value;
    const a = seen[next - 1] as Curve['evals'][number];
    const b = seen[next] as Curve['evals'][number];
    return a.value + ((b.value - a.value) * (t - a.tokens)) / (b.tokens - a.tokens);
  });
}

for (const AT of CHECKPOINTS) {
  const before: number[] = [];
  const at = columns.map(() => [] as number[]);
  const rows: string[][] = [];
  let noEval = 0;
  for (const task of tasks) {
    const runs = accuracy.filter((c) => c.task === task);
    if (runs.length < 2 * (KS.at(-1) as number)) continue;
    const info = runs.map((c) => ({
      id: c.id,
      peak: peakFraction(c),
      shape: shapeAt(c.evals, c.budgetTokens, c.mode, AT),
      raw: rawCurve(c, AT),
    }));
    const taskBefore: number[] = [];
    const taskAt = columns.map(() => [] as number[]);
    for (const run of info.filter((r) => scored.has(r.id))) {
      const others = info.filter((r) => r.id !== run.id);
      const start = densestHalfMidpoint(others.map((r) => r.peak));
      const error = (p: number) => Math.abs(p - run.peak);
      taskBefore.push(error(start));
      if (run.shape === null || run.raw === null) {
        noEval++;
        for (const list of taskAt) list.push(error(start));
        continue;
      }
      const best = run.shape.bestFraction;
      const peakOf = (r: (typeof others)[number]) => (r.peak <= AT + EPSILON ? best : r.peak);
      const d = others.map((r) => shapeDistance(r.shape, run.shape));
      const points = [
        ...BANDWIDTHS.map((w) =>
          densestHalfMidpoint(
            others.map(peakOf),
            d.map((x) => (Number.isFinite(x) ? Math.exp(-w * x) : 0)),
          ),
        ),
        ...KS.map((k) =>
          densestHalfMidpoint(
            others
              .map((r, i) => ({ r, d: d[i] as number }))
              .sort((x, y) => x.d - y.d || (x.r.id < y.r.id ? -1 : 1))
              .slice(0, k)
              .map(({ r }) => peakOf(r)),
          ),
        ),
        ...KS.map((k) => {
          const pool = [...others];
          for (let i = 0; i < k; i++) {
            const j = i + Math.floor(uniform() * (pool.length - i));
            [pool[i], pool[j]] = [pool[j] as (typeof pool)[number], pool[i] as (typeof pool)[number]];
          }
          return densestHalfMidpoint(pool.slice(0, k).map(peakOf));
        }),
        ...rawPoints(others, run, peakOf),
      ];
      points.forEach((p, j) => {
        taskAt[j]?.push(error(p));
      });
    }
    before.push(...taskBefore);
    taskAt.forEach((xs, j) => {
      at[j]?.push(...xs);
    });
    rows.push([
      task,
      String(runs.length),
      String(taskBefore.length),
      median(taskBefore).toFixed(3),
      ...[0, 2, BANDWIDTHS.length + 2, BANDWIDTHS.length + KS.length + 2].map((j) =>
        median(taskAt[j] as number[]).toFixed(3),
      ),
    ]);
  }
  const pct = `${Math.round(AT * 100)}%`;
  console.log(
    `\nat ${pct} of the budget: accuracy dev curves, each scored run predicted from its own task's other runs ` +
      `(not leave-task-out), ${rows.length} tasks with at least ${2 * (KS.at(-1) as number)} runs; ` +
      `${noEval} scored runs with no eval yet keep their before-start prediction`,
  );
  printTable(
    [
      'task',
      'runs',
      'scored',
      'before',
      `kernel w=${BANDWIDTHS[0]}`,
      `kernel w=${BANDWIDTHS[2]}`,
      `nearest ${KS[0]}`,
      `random ${KS[0]}`,
    ],
    rows,
  );
  const pooledBefore = median(before);
  printTable(
    ['pooled', 'runs', 'error', 'below before'],
    [
      ['before', String(before.length), pooledBefore.toFixed(3), ''],
      ...columns.map((name, j) => {
        const e = median(at[j] as number[]);
        return [`${pct}, ${name}`, String((at[j] as number[]).length), e.toFixed(3), below(e, pooledBefore)];
      }),
    ],
  );
}
console.log('aim (c), for the meta-learner on unseen tasks: at 10%, ≥ 25% below before');
console.log(hostLine());
