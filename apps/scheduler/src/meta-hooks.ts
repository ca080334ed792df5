import {
  fitMetaModel,
  predictOutcomeMany,
  predictStopMany,
  specRunFeatures,
  withGroupRanks,
} from '@curfew/meta';
import type { StoreDatabase } from '@curfew/store';
import type { Predictor, RunPrediction } from './expand-experiment';
import { fitMetaInThread } from './fit-in-thread';

/**
 * The scheduler's predictions, from the meta-learner's SQL functions: where each run will peak
 * and at what value (curfew_predict_stop), and how well it will do among its task's runs
 * (curfew_predict_outcome), which dispatch orders by.
 */
export const predictRuns: Predictor = async (db, spec, runs, budgetTokens) => {
  const raw = spec as unknown as Record<string, unknown>;
  const features = withGroupRanks(runs.map((r) => specRunFeatures(raw, r.params)));
  const answers = await predictStopMany(
    db,
    runs.map((r, i) => ({ id: r.id, features: features[i] ?? {}, budgetTokens })),
  );
  const outcomes = await predictOutcomeMany(
    db,
    runs.map((r, i) => ({ id: r.id, features: features[i] ?? {} })),
  );
  const out = new Map<string, RunPrediction>();
  for (const [id, p] of answers) {
    out.set(id, {
      metaModelVersion: p.metaModelVersion,
      predictedPeakTokens: p.peakTokens,
      low: p.lowTokens,
      high: p.highTokens,
      predictedFinalEm: p.peakValue,
      predictedRank: outcomes.get(id)?.rank ?? null,
      sources: p.sources,
    });
  }
  return out;
};

/** Refits the meta-learner from the database's history; too little history is not an error. */
export async function refitMeta(
  db: StoreDatabase,
  log: (line: string) => void,
  fitId?: string,
): Promise<void> {
  try {
    const fitted = await fitMetaModel(db, {
      notes: 'refit by the scheduler',
      runFit: fitMetaInThread,
      ...(fitId ? { fitId } : {}),
    });
    log(
      `meta-learner: version ${fitted.version} from ${fitted.state.loto.runs} runs of ${fitted.state.loto.tasks} tasks`,
    );
  } catch (error) {
    if ((error as Error).name !== 'MetaFitError') throw error;
  }
}
