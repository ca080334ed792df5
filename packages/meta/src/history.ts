import type { Curve } from '@curfew/policies';
import { taskKey } from '@curfew/spec';
import { evals, experiments, type NewEval, type NewRun, runs, type StoreDatabase } from '@curfew/store';
import { sql } from 'drizzle-orm';
import { flattenFeatures, type RunFeatures, rankWithinGroups, specRunFeatures } from './features.js';
import type { FitRun } from './fit.js';
import type { ShapeEval } from './shape.js';

/** Budgets of curve runs are stored as this many tokens when their tokens are not whole numbers. */
const SCALED_BUDGET = 1_000_000;
const INSERT_BATCH = 2000;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Features of a recorded curve: the task's kind (its metric and mode), its `features` object and
 * its number of evals (the eval schedule).
 */
export function curveFeatures(curve: Curve): RunFeatures {
  return flattenFeatures({ metric: curve.metric, mode: curve.mode }, curve.features, {
    evals_per_run: curve.evals.length,
  });
}

/** Features of every curve, with ranks within its group (the runs of one experiment). */
export function curvesFeatures(curves: readonly Curve[]): RunFeatures[] {
  return rankWithinGroups(curves, (c) => c.group, curveFeatures);
}

/**
 * Stores recorded curves as finished runs (one experiment per group, status `completed`), so
 * the meta-learner fits them exactly as it fits the live cluster's history. Tokens are scaled to
 * a budget of 1,000,000 when a curve's are not whole numbers (e.g. seconds): fractions of the
 * budget, which is what the meta-learner reads, are unchanged. Idempotent on run ids.
 */
export async function loadCurvesAsHistory(db: StoreDatabase, curves: readonly Curve[]): Promise<void> {
  const groups = new Map<string, Curve[]>();
  for (const c of curves) {
    const list = groups.get(c.group);
    if (list) list.push(c);
    else groups.set(c.group, [c]);
  }
  const newRuns: NewRun[] = [];
  const newEvals: NewEval[] = [];
  for (const [group, members] of groups) {
    await db
      .insert(experiments)
      .values({
        id: group,
        name: group,
        spec: { curves: { task: members[0]?.task, group, metric: members[0]?.metric } },
        taskFamily: String(members[0]?.features.family ?? members[0]?.task),
        policy: 'none',
        status: 'done',
      })
      .onConflictDoNothing({ target: experiments.id });
    members.forEach((curve, trial) => {
      const whole =
        Number.isInteger(curve.budgetTokens) && curve.evals.every((e) => Number.isInteger(e.tokens));
      const scale = whole ? 1 : SCALED_BUDGET / curve.budgetTokens;
      const tokens = (t: number) => Math.round(t * scale);
      const steps = curve.evals.map((e) => e.step);
      const stepsUsable = steps.every(
        (s, i) => Number.isInteger(s) && (i === 0 || s > (steps[i - 1] as number)),
      );
      newRuns.push({
        id: curve.id,
        experimentId: group,
        trial,
        config: { ...curveFeatures(curve), curve: { task: curve.task, mode: curve.mode } },
        status: 'completed',
        budgetTokens: tokens(curve.budgetTokens),
        tokensUsed: tokens(curve.evals.at(-1)?.tokens ?? curve.budgetTokens),
      });
      curve.evals.forEach((e, i) => {
        newEvals.push({
          runId: curve.id,
          step: stepsUsable ? e.step : i + 1,
          tokens: tokens(e.tokens),
          em: e.value,
        });
      });
    });
  }
  for (let i = 0; i < newRuns.length; i += INSERT_BATCH) {
    await db
      .insert(runs)
      .values(newRuns.slice(i, i + INSERT_BATCH))
      .onConflictDoNothing({ target: runs.id });
  }
  for (let i = 0; i < newEvals.length; i += INSERT_BATCH) {
    await db
      .insert(evals)
      .values(newEvals.slice(i, i + INSERT_BATCH))
      .onConflictDoNothing();
  }
}

interface HistoryRow {
  run_id: string;
  experiment_id: string;
  spec: Record<string, unknown>;
  config: Record<string, unknown>;
  budget_tokens: number | string;
  peak_tokens: number | string;
  peak_value: number;
  final_value: number;
}

/**
 * The finished history: every run that trained to its full budget (status `completed`) with at
 * least one eval. Peak = the first eval with the best value (the lowest for curves recorded
 * with mode min); its tokens over the run's budget is the peak fraction.
 */
export async function readHistory(db: StoreDatabase): Promise<FitRun[]> {
  const result = await db.execute(sql`
    SELECT r.id AS run_id, r.experiment_id, e.spec, r.config,
      coalesce(r.budget_tokens, last.tokens) AS budget_tokens,
      best.tokens AS peak_tokens, best.em AS peak_value, last.em AS final_value
    FROM runs r
    JOIN experiments e ON e.id = r.experiment_id
    CROSS JOIN LATERAL (
      SELECT v.tokens, v.em FROM evals v WHERE v.run_id = r.id AND v.em IS NOT NULL
      ORDER BY v.step DESC LIMIT 1
    ) last
    CROSS JOIN LATERAL (
      SELECT v.tokens, v.em FROM evals v WHERE v.run_id = r.id AND v.em IS NOT NULL
      ORDER BY CASE WHEN r.config -> 'curve' ->> 'mode' = 'min' THEN -v.em ELSE v.em END DESC, v.step
      LIMIT 1
    ) best
    WHERE r.status = 'completed'
    ORDER BY r.id`);
  const rows = (result as unknown as { rows: HistoryRow[] }).rows.filter((r) => Number(r.budget_tokens) > 0);
  const features = rankWithinGroups(rows, (r) => r.experiment_id, rowFeatures);
  return rows.map((r, i) => ({
    runId: r.run_id,
    task: taskOf(r),
    mode: modeOf(r),
    budgetTokens: Number(r.budget_tokens),
    peakFraction: Math.min(1, Math.max(0, Number(r.peak_tokens) / Number(r.budget_tokens))),
    peakValue: r.peak_value,
    finalValue: r.final_value,
    features: features[i] as RunFeatures,
  }));
}

function rowFeatures(row: HistoryRow): RunFeatures {
  const { curve, ...config } = row.config;
  if (isRecord(curve)) return flattenFeatures(config);
  return specRunFeatures(row.spec, config);
}

/** Curves recorded with mode min are better lower; live runs report EM, better higher. */
function modeOf(row: HistoryRow): 'max' | 'min' {
  const curve = row.config.curve;
  return isRecord(curve) && curve.mode === 'min' ? 'min' : 'max';
}

/** The evals (tokens, value) of the given runs, in training order: what the fit reads curve shapes from. */
export async function readEvals(
  db: StoreDatabase,
  runIds: readonly string[],
): Promise<Map<string, ShapeEval[]>> {
  const out = new Map<string, ShapeEval[]>(runIds.map((id) => [id, []]));
  for (let i = 0; i < runIds.length; i += 1000) {
    const result = await db.execute(sql`
      SELECT v.run_id, v.tokens, v.em FROM evals v
      WHERE v.run_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(runIds.slice(i, i + 1000))}::jsonb))
        AND v.em IS NOT NULL
      ORDER BY v.run_id, v.step`);
    for (const r of (result as unknown as { rows: { run_id: string; tokens: number | string; em: number }[] })
      .rows) {
      out.get(r.run_id)?.push({ tokens: Number(r.tokens), value: Number(r.em) });
    }
  }
  return out;
}

/** Curves name their task; live runs are of the spec's task family with its parameters. */
function taskOf(row: HistoryRow): string {
  const curve = row.config.curve;
  if (isRecord(curve) && typeof curve.task === 'string') return curve.task;
  return taskKey(isRecord(row.spec.task) ? row.spec.task : undefined);
}
