// Leave-one-task-out check of the meta-learner's peak prediction, through the production path:
// the curves are loaded as finished runs into an embedded PGlite store, and for each task the
// meta-model is fitted on every other task (fitMetaModel) and the held-out task's runs are
// predicted by the SQL function curfew_predict_stop. Prints the median absolute error of the
// predicted peak (fraction of the budget) against predicting the history's median peak fraction,
// and the share of actual peaks inside [low, high] (intervals are calibrated on history only).
//
//   npx tsx bench/meta-predict.ts [CURVES.jsonl...]      (default: ../shared/curves/dev/*.jsonl)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { curvesFeatures, fitMetaModel, loadCurvesAsHistory, predictStopMany } from '@curfew/meta';
import type { Curve } from '@curfew/policies';
import { openStore } from '@curfew/store';
import { benchCurves } from './curve-files';

const curves: Curve[] = benchCurves('meta-predict.ts');

/** Tokens of the first best eval over the budget: what the meta-learner predicts. */
function peakFraction(c: Curve): number {
  let best = 0;
  c.evals.forEach((e, i) => {
    const b = c.evals[best]?.value ?? e.value;
    if (c.mode === 'max' ? e.value > b : e.value < b) best = i;
  });
  return Math.min(1, (c.evals[best]?.tokens ?? 0) / c.budgetTokens);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const dir = await mkdtemp(path.join(tmpdir(), 'curfew-bench-meta-'));
const store = await openStore({ dataDir: dir });
try {
  const started = Date.now();
  await loadCurvesAsHistory(store.db, curves);
  const loadMs = Date.now() - started;
  const features = curvesFeatures(curves);
  const actual = new Map(curves.map((c) => [c.id, peakFraction(c)]));
  const tasks = [...new Set(curves.map((c) => c.task))];
  const model: number[] = [];
  const baseline: number[] = [];
  let covered = 0;
  const rows: string[] = [];
  let fitMs = 0;
  let predictMs = 0;
  for (const task of tasks) {
    const held = curves.map((c, i) => ({ c, f: features[i] })).filter(({ c }) => c.task === task);
    const historyMedian = median(
      curves.filter((c) => c.task !== task).map((c) => actual.get(c.id) as number),
    );
    let t = Date.now();
    const fitted = await fitMetaModel(store.db, { excludeTasks: [task], notes: `bench: ${task} held out` });
    fitMs += Date.now() - t;
    t = Date.now();
    const predictions = await predictStopMany(
      store.db,
      held.map(({ c, f }) => ({ id: c.id, features: f ?? {}, budgetTokens: c.budgetTokens })),
    );
    predictMs += Date.now() - t;
    const errors: number[] = [];
    const baseErrors: number[] = [];
    let inside = 0;
    for (const { c } of held) {
      const p = predictions.get(c.id);
      const y = actual.get(c.id) as number;
      if (!p) throw new Error(`no prediction for ${c.id}`);
      errors.push(Math.abs(p.peakFraction - y));
      baseErrors.push(Math.abs(historyMedian - y));
      if (y >= p.lowFraction && y <= p.highFraction) inside++;
    }
    model.push(...errors);
    baseline.push(...baseErrors);
    covered += inside;
    const weights = [...fitted.state.numeric, ...fitted.state.categories].map((f) => `${f.key}×${f.weight}`);
    rows.push(
      `${task.padEnd(28)} ${String(held.length).padStart(5)}  ${median(errors).toFixed(3)}  ${median(baseErrors).toFixed(3)}  ` +
        `${((100 * inside) / held.length).toFixed(0).padStart(3)}%  ${weights.join(', ') || '(no feature)'}`,
    );
  }
  const mae = median(model);
  const base = median(baseline);
  console.log(`meta-learner, leave one task out: ${curves.length} runs in ${tasks.length} tasks`);
  console.log(
    `${'held-out task'.padEnd(28)} ${'runs'.padStart(5)}  model  median  cover  features the fit kept`,
  );
  for (const row of rows) console.log(row);
  console.log('');
  console.log(`median absolute error of the predicted peak (fraction of budget), all runs pooled:`);
  console.log(`  meta-learner (curfew_predict_stop)   ${mae.toFixed(4)}`);
  console.log(`  baseline: history's median peak      ${base.toFixed(4)}`);
  console.log(
    `  improvement                          ${(100 * (1 - mae / base)).toFixed(1)}%   (target ≥ 25%)`,
  );
  console.log(
    `  per-task median of the task medians  ${median(tasks.map((_, k) => Number(rows[k]?.split(/\s+/)[2]))).toFixed(3)}`,
  );
  console.log(
    `interval coverage of actual peaks      ${((100 * covered) / model.length).toFixed(1)}%   (target ≥ 80%)`,
  );
  console.log(
    `time: load ${(loadMs / 1000).toFixed(1)} s, fit ${(fitMs / 1000).toFixed(1)} s, predict ${(predictMs / 1000).toFixed(1)} s (${tasks.length} folds)`,
  );
} finally {
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
