import {
  bigint,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { metaModels } from './meta-models.js';
import { runs } from './runs.js';

/** The meta-learner's prediction for a run, written before it is enqueued. */
export const predictions = pgTable(
  'predictions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    /** Null when no meta-model existed yet (prior only). */
    metaModelVersion: integer('meta_model_version').references(() => metaModels.version, {
      onDelete: 'set null',
    }),
    predictedPeakTokens: doublePrecision('predicted_peak_tokens'),
    /** Lower bound of the predicted peak, in tokens. */
    low: doublePrecision('low'),
    /** Upper bound of the predicted peak, in tokens. */
    high: doublePrecision('high'),
    predictedFinalEm: doublePrecision('predicted_final_em'),
    /** How well the run is expected to do among its task's runs (0 the worst, 1 the best); null without an outcome model. */
    predictedRank: doublePrecision('predicted_rank'),
    /** The past runs the prediction drew on. */
    sources: jsonb('sources').$type<unknown>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('predictions_run_id_idx').on(t.runId)],
);

export type Prediction = typeof predictions.$inferSelect;
export type NewPrediction = typeof predictions.$inferInsert;
