import { metaModels, type StoreDatabase } from '@curfew/store';
import { sql } from 'drizzle-orm';
import type { RunFeatures } from './features.js';
import { chooseRepresentatives, type FitOptions, type FitRun, type FittedRun, fitState } from './fit.js';
import { readEvals, readHistory } from './history.js';
import { encodeFeatures, type MetaModelState } from './model-state.js';
import { CHECKPOINTS, type ShapeEval, type ShapeKey } from './shape.js';

export interface FitMetaModelOptions extends FitOptions {
  /** Tasks left out of the history (to measure the model on them). */
  excludeTasks?: readonly string[];
  /** Stored in `meta_models.notes`. */
  notes?: string;
  /** The refit this version belongs to (the stop models of the same refit carry it too). */
  fitId?: string;
  /**
   * Runs the fit itself (pure CPU work on plain data): a process that must stay responsive runs
   * it on a worker thread. @defaultValue `fitState`, on the calling thread
   */
  runFit?: (history: FitRun[], options: FitOptions & { historyRuns?: number }) => Promise<FittedState>;
}

/** What `fitState` returns. */
export type FittedState = ReturnType<typeof fitState>;

export interface FittedMetaModel {
  version: number;
  state: MetaModelState;
}

/** Key of the transaction-level advisory lock that serialises refits. */
const FIT_LOCK_KEY = 7_307_021_448;

/**
 * Fits a new meta-model version from the finished runs in the store and stores it: the learned
 * state in `meta_models` (with its leave-one-task-out error in `loto_error`) and the history it
 * learned from in `meta_history`, replacing older versions' rows. Throws a `MetaFitError` when
 * history has fewer than two tasks.
 */
export async function fitMetaModel(
  db: StoreDatabase,
  options: FitMetaModelOptions = {},
): Promise<FittedMetaModel> {
  const excluded = new Set(options.excludeTasks ?? []);
  const history = (await readHistory(db)).filter((h) => !excluded.has(h.task));
  const chosen = chooseRepresentatives(history, options);
  const evals = await readEvals(
    db,
    chosen.map((h) => h.runId),
  );
  const { runFit, excludeTasks: _excluded, notes: _notes, fitId: _fitId, ...fitOptions } = options;
  const { state, representatives } = await (runFit ?? (async (h, o) => fitState(h, o)))(
    chosen.map((h) => ({ ...h, evals: evals.get(h.runId) ?? [] })),
    { ...fitOptions, historyRuns: history.length },
  );
  state.fitId = options.fitId ?? null;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(FIT_LOCK_KEY))})`);
    const [row] = await tx
      .insert(metaModels)
      .values({
        nRuns: state.representatives.of,
        nTasks: state.loto.tasks,
        state: state as unknown as Record<string, unknown>,
        lotoError: state.loto.medianAbsError,
        notes: options.notes ?? null,
      })
      .returning({ version: metaModels.version });
    const version = (row as { version: number }).version;
    await tx.execute(sql`DELETE FROM meta_history WHERE meta_model_version < ${version}`);
    await insertRepresentatives(tx as unknown as StoreDatabase, version, state, representatives);
    return { version, state };
  });
}

/**
 * A run's shape feature at each checkpoint, null where it had no eval by it (and at 0): the
 * meta_shapes rows of the run, as meta_history's array beside it, read by curfew_predict_stop.
 */
const shapeColumn = (h: FittedRun, key: ShapeKey): (number | null)[] =>
  CHECKPOINTS.map((at, k) => (at > 0 ? (h.shapes[k]?.[key] ?? null) : null));

/** A jsonb array column of the recordset below as a float8[]. */
const floats = (column: string) =>
  sql.raw(`ARRAY(SELECT x::float8 FROM jsonb_array_elements_text(r.${column}) x)`);

/** Stores the runs a version keeps (meta_history) and their curve shapes (meta_shapes). */
async function insertRepresentatives(
  tx: StoreDatabase,
  version: number,
  state: MetaModelState,
  representatives: readonly FittedRun[],
): Promise<void> {
  const rows = representatives.map((h) => {
    const encoded = encodeFeatures(state, h.features);
    return {
      meta_model_version: version,
      run_id: h.runId,
      task: h.task,
      features: h.features,
      num: encoded.num,
      cat: encoded.cat,
      peak_fraction: h.peakFraction,
      peak_value: h.peakValue,
      final_value: h.finalValue,
      peak_rank: h.peakRank,
      shape_best_rel: shapeColumn(h, 'bestRel'),
      shape_last_rel: shapeColumn(h, 'lastRel'),
      shape_trend: shapeColumn(h, 'trend'),
    };
  });
  for (let i = 0; i < rows.length; i += 1000) {
    await tx.execute(sql`
      INSERT INTO meta_history (meta_model_version, run_id, task, features, num, cat, peak_fraction,
        peak_value, final_value, peak_rank, shape_best_rel, shape_last_rel, shape_trend)
      SELECT r.meta_model_version, r.run_id, r.task, r.features, ${floats('num')},
        ARRAY(SELECT x FROM jsonb_array_elements_text(r.cat) x),
        r.peak_fraction, r.peak_value, r.final_value, r.peak_rank,
        ${floats('shape_best_rel')}, ${floats('shape_last_rel')}, ${floats('shape_trend')}
      FROM jsonb_to_recordset(${JSON.stringify(rows.slice(i, i + 1000))}::jsonb) AS r(
        meta_model_version int, run_id text, task text, features jsonb, num jsonb, cat jsonb,
        peak_fraction float8, peak_value float8, final_value float8, peak_rank float8,
        shape_best_rel jsonb, shape_last_rel jsonb, shape_trend jsonb)`);
  }
  const shapes = representatives.flatMap((h) =>
    CHECKPOINTS.flatMap((at, k) => {
      const s = h.shapes[k];
      return s && at > 0
        ? [
            {
              run_id: h.runId,
              checkpoint: at,
              best_fraction: s.bestFraction,
              best_rel: s.bestRel,
              last_rel: s.lastRel,
              trend: s.trend,
            },
          ]
        : [];
    }),
  );
  for (let i = 0; i < shapes.length; i += 2000) {
    await tx.execute(sql`
      INSERT INTO meta_shapes (meta_model_version, run_id, checkpoint, best_fraction, best_rel, last_rel, trend)
      SELECT ${version}::int, r.run_id, r.checkpoint, r.best_fraction, r.best_rel, r.last_rel, r.trend
      FROM jsonb_to_recordset(${JSON.stringify(shapes.slice(i, i + 2000))}::jsonb) AS r(
        run_id text, checkpoint float8, best_fraction float8, best_rel float8, last_rel float8, trend float8)`);
  }
}

/** What `curfew_predict_stop` returns for one run. */
export interface StopPrediction {
  metaModelVersion: number;
  /** The checkpoint (fraction of the budget) whose knowledge answered: 0 before the run's first eval. */
  checkpoint: number;
  /** Tokens of the predicted best eval, as a fraction of the budget. */
  peakFraction: number;
  lowFraction: number;
  highFraction: number;
  /** The same in tokens, when a budget was given. */
  peakTokens: number | null;
  lowTokens: number | null;
  highTokens: number | null;
  /** Predicted value (EM) of the best eval: the deployed EM of the full-budget run. */
  peakValue: number;
  /** Predicted value (EM) of the last eval, at the full budget. */
  finalValue: number;
  historyRuns: number;
  /** The past runs the prediction drew on most, heaviest first. */
  sources: { run_id: string; weight: number; peak_fraction: number }[];
}

export interface StopQuery {
  id: string;
  features: RunFeatures;
  budgetTokens?: number | null;
  /** The run's evals so far (values in the metric's units; `features.mode` min means lower is better). */
  evals?: readonly ShapeEval[];
}

interface PredictionRow {
  id: string;
  meta_model_version: number;
  checkpoint: number;
  predicted_peak_fraction: number;
  low_fraction: number;
  high_fraction: number;
  predicted_peak_tokens: number | null;
  low_tokens: number | null;
  high_tokens: number | null;
  predicted_peak_value: number;
  predicted_final_value: number;
  history_runs: number;
  sources: StopPrediction['sources'] | string;
}

/**
 * Predicts with the SQL function `curfew_predict_stop`, many runs in one statement. Runs are
 * returned in the order given; a map without an entry for a run means no meta-model exists yet.
 */
export async function predictStopMany(
  db: StoreDatabase,
  queries: readonly StopQuery[],
): Promise<Map<string, StopPrediction>> {
  return predictStopManyWith(db, queries, 'curfew_predict_stop');
}

/**
 * {@link predictStopMany} through the SQL function named: `curfew_predict_stop`, or (in tests and
 * benches, after `installPredictStop0007`) the version of migrations/0007 it replaced.
 */
export async function predictStopManyWith(
  db: StoreDatabase,
  queries: readonly StopQuery[],
  fn: 'curfew_predict_stop' | 'curfew_predict_stop_0007',
): Promise<Map<string, StopPrediction>> {
  const out = new Map<string, StopPrediction>();
  for (let i = 0; i < queries.length; i += 500) {
    const batch = queries.slice(i, i + 500).map((q, ord) => ({
      ord,
      id: q.id,
      features: q.features,
      budget_tokens: q.budgetTokens ?? null,
      evals: q.evals ? q.evals.map((e) => ({ tokens: e.tokens, value: e.value })) : null,
    }));
    const result = await db.execute(sql`
      SELECT q.id, p.*
      FROM jsonb_to_recordset(${JSON.stringify(batch)}::jsonb)
        AS q(ord int, id text, features jsonb, budget_tokens float8, evals jsonb)
      CROSS JOIN LATERAL ${sql.raw(fn)}(q.features, q.budget_tokens, q.evals) p
      ORDER BY q.ord`);
    for (const r of (result as unknown as { rows: PredictionRow[] }).rows) out.set(r.id, toPrediction(r));
  }
  return out;
}

/** Predicts one run's peak (see {@link predictStopMany}); null when no meta-model exists yet. */
export async function predictStop(
  db: StoreDatabase,
  features: RunFeatures,
  budgetTokens?: number | null,
  evals?: readonly ShapeEval[],
): Promise<StopPrediction | null> {
  const result = await predictStopMany(db, [
    { id: 'run', features, budgetTokens: budgetTokens ?? null, ...(evals ? { evals } : {}) },
  ]);
  return result.get('run') ?? null;
}

function toPrediction(r: PredictionRow): StopPrediction {
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    metaModelVersion: Number(r.meta_model_version),
    checkpoint: Number(r.checkpoint),
    peakFraction: Number(r.predicted_peak_fraction),
    lowFraction: Number(r.low_fraction),
    highFraction: Number(r.high_fraction),
    peakTokens: num(r.predicted_peak_tokens),
    lowTokens: num(r.low_tokens),
    highTokens: num(r.high_tokens),
    peakValue: Number(r.predicted_peak_value),
    finalValue: Number(r.predicted_final_value),
    historyRuns: Number(r.history_runs),
    sources: typeof r.sources === 'string' ? JSON.parse(r.sources) : r.sources,
  };
}
