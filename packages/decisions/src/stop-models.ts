import { type Curve, modelForHistoryTask, type StopModel, StopModelTrainer } from '@curfew/policies';
import { taskKey } from '@curfew/spec';
import { type HistoryRun, historyRuns, metaModels, type StoreDatabase } from '@curfew/store';
import { eq } from 'drizzle-orm';

/** `meta_models.state->>'kind'` of the policies' stop models (the kernel meta-learner has its own). */
export const STOP_MODELS_KIND = 'curfew-stop-models/1';

/**
 * The stop models `meta` and `auto` decide with, fitted once from history and stored as a
 * `meta_models` version: one model per task fold (a task of the history is judged by the model
 * fitted without its fold, as replay does, unless that holds fewer than two other tasks of its
 * metric kind: `stopModelFor`) and one of all history for new tasks. Null where the
 * history left could not be validated on tasks it had not seen.
 */
export interface StoredStopModels {
  kind: typeof STOP_MODELS_KIND;
  /** The refit this version came from: the meta-learner's version of the same refit carries it too. */
  fitId?: string | null;
  foldOfTask: Record<string, number>;
  models: Record<string, StopModel | null>;
  /**
   * How a task of the history picks its model: `own-history` (versions fitted since it): its
   * fold's model unless that holds too few other tasks of its kind (`modelForHistoryTask`); absent
   * (older versions): its fold's model always, so a decision log replays as it was decided.
   */
  selection?: 'own-history';
}

/** A run that trained to its budget as a curve of EM (the history format of replay). */
export function historyCurveOf(run: HistoryRun): Curve {
  return {
    id: run.runId,
    task: taskKey(run.task),
    group: run.experimentId,
    metric: 'em',
    mode: 'max',
    budgetTokens: run.budgetTokens,
    features: { family: run.task.family, ...run.task.params, ...run.config },
    evals: run.evals.flatMap((e) => (e.em === null ? [] : [{ step: e.step, tokens: e.tokens, value: e.em }])),
    source: `run ${run.runId}`,
  };
}

export function fitStopModels(history: readonly Curve[]): StoredStopModels {
  const trainer = new StopModelTrainer(history);
  const foldOfTask: Record<string, number> = {};
  for (const task of trainer.tasks) foldOfTask[task] = trainer.foldOf(task) as number;
  const keep = (model: StopModel) => (model.calibration.length > 0 ? model : null);
  const models: Record<string, StopModel | null> = { all: keep(trainer.fit(new Set())) };
  for (const fold of new Set(Object.values(foldOfTask))) models[fold] = keep(trainer.fit(new Set([fold])));
  return { kind: STOP_MODELS_KIND, foldOfTask, models, selection: 'own-history' };
}

/**
 * The model for a task: the one of all history for a task history does not hold; for one it holds,
 * its fold's, or the one of all history (its own finished runs in it) where its fold's holds fewer
 * than two other tasks of its metric kind (`modelForHistoryTask`; versions fitted before that rule
 * keep the fold's model, `selection`).
 */
export function stopModelFor(stored: StoredStopModels, task: string): StopModel | null {
  const fold = stored.foldOfTask[task];
  const all = stored.models.all ?? null;
  if (fold === undefined) return all;
  const withoutFold = stored.models[String(fold)] ?? null;
  return stored.selection === 'own-history' ? modelForHistoryTask(task, withoutFold, all) : withoutFold;
}

/**
 * Fits the stop models from every run that trained to its budget and stores them as a new
 * meta_models version; null (nothing stored) while there is no history.
 */
export async function refitStopModels(
  db: StoreDatabase,
  options: {
    fitId?: string;
    /**
     * Runs the fit itself (pure CPU work, a minute on a large history): a process that must stay
     * responsive runs it on a worker thread. @defaultValue `fitStopModels`, on the calling thread
     */
    fit?: (curves: Curve[]) => Promise<StoredStopModels>;
  } = {},
): Promise<{ version: number; runs: number } | null> {
  const curves = (await historyRuns(db)).map(historyCurveOf).filter((c) => c.evals.length > 0);
  if (curves.length === 0) return null;
  const fitted = await (options.fit ?? (async (c: Curve[]) => fitStopModels(c)))(curves);
  const stored: StoredStopModels = { ...fitted, fitId: options.fitId ?? null };
  const [row] = await db
    .insert(metaModels)
    .values({
      nRuns: curves.length,
      nTasks: Object.keys(stored.foldOfTask).length,
      state: stored as unknown as Record<string, unknown>,
      notes: 'stop models of meta and auto, refitted by the scheduler',
    })
    .returning({ version: metaModels.version });
  return { version: (row as { version: number }).version, runs: curves.length };
}

export class StopModelsError extends Error {
  override readonly name = 'StopModelsError';
}

export async function loadStopModels(db: StoreDatabase, version: number): Promise<StoredStopModels> {
  const [row] = await db
    .select({ state: metaModels.state })
    .from(metaModels)
    .where(eq(metaModels.version, version));
  const state = row?.state as StoredStopModels | undefined;
  if (state?.kind !== STOP_MODELS_KIND)
    throw new StopModelsError(`meta_models version ${version} holds no stop models`);
  return state;
}
