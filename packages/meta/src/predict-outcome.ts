import type { StoreDatabase } from '@curfew/store';
import { sql } from 'drizzle-orm';
import type { RunFeatures } from './features.js';

/** What `curfew_predict_outcome` returns for one run. */
export interface OutcomePrediction {
  metaModelVersion: number;
  /** How well the run is expected to do among its task's runs: 0 the worst, 1 the best. */
  rank: number;
  historyRuns: number;
}

/**
 * Predicts with the SQL function `curfew_predict_outcome`, many runs in one statement; a map
 * without an entry for a run means no meta-model with an outcome model exists yet.
 */
export async function predictOutcomeMany(
  db: StoreDatabase,
  queries: readonly { id: string; features: RunFeatures }[],
): Promise<Map<string, OutcomePrediction>> {
  const out = new Map<string, OutcomePrediction>();
  for (let i = 0; i < queries.length; i += 500) {
    const batch = queries.slice(i, i + 500).map((q, ord) => ({ ord, id: q.id, features: q.features }));
    const result = await db.execute(sql`
      SELECT q.id, p.*
      FROM jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) AS q(ord int, id text, features jsonb)
      CROSS JOIN LATERAL curfew_predict_outcome(q.features) p
      ORDER BY q.ord`);
    const rows = (
      result as unknown as {
        rows: { id: string; meta_model_version: number; predicted_rank: number; history_runs: number }[];
      }
    ).rows;
    for (const r of rows) {
      out.set(r.id, {
        metaModelVersion: Number(r.meta_model_version),
        rank: Number(r.predicted_rank),
        historyRuns: Number(r.history_runs),
      });
    }
  }
  return out;
}
