import {
  bigint,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { runs } from './runs.js';

/** The columns of an eval, shared by `evals` and `discarded_evals` (fresh builders per table). */
export function evalColumns() {
  return {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    step: integer('step').notNull(),
    /** Training tokens processed up to this eval. */
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
    /** Validation tokens processed up to this eval. */
    valTokens: bigint('val_tokens', { mode: 'number' }).notNull().default(0),
    trainLoss: doublePrecision('train_loss'),
    valLoss: doublePrecision('val_loss'),
    em: doublePrecision('em'),
    perplexity: doublePrecision('perplexity'),
    lr: doublePrecision('lr'),
    valExamples: integer('val_examples'),
    /** Extra metrics by name. */
    metrics: jsonb('metrics').$type<Record<string, number>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Experiment event sequence number of the eval; null for evals written outside the decision service. */
    seq: bigint('seq', { mode: 'number' }),
    /** The run attempt that reported it. */
    attempt: integer('attempt'),
  };
}

/** One validation point of a run. (run_id, step) is the idempotency key. */
export const evals = pgTable('evals', evalColumns(), (t) => [
  primaryKey({ name: 'evals_run_id_step_pk', columns: [t.runId, t.step] }),
  index('evals_run_id_seq_idx').on(t.runId, t.seq),
]);

export type Eval = typeof evals.$inferSelect;
export type NewEval = typeof evals.$inferInsert;
