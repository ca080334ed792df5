import {
  bigint,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { runs } from './runs.js';

/**
 * Evals a resumed attempt discarded (they lay past the checkpoint it resumed from), moved here
 * from `evals` so that `evals` keeps one live row per run and step while the decision log stays
 * replayable. Columns as in `evals`, plus when and by whom they were discarded.
 */
export const discardedEvals = pgTable(
  'discarded_evals',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    step: integer('step').notNull(),
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
    valTokens: bigint('val_tokens', { mode: 'number' }).notNull().default(0),
    trainLoss: doublePrecision('train_loss'),
    valLoss: doublePrecision('val_loss'),
    em: doublePrecision('em'),
    perplexity: doublePrecision('perplexity'),
    lr: doublePrecision('lr'),
    valExamples: integer('val_examples'),
    metrics: jsonb('metrics').$type<Record<string, number>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    seq: bigint('seq', { mode: 'number' }),
    attempt: integer('attempt'),
    /** Event sequence number of the resume that discarded it. */
    discardedSeq: bigint('discarded_seq', { mode: 'number' }).notNull(),
    /** The attempt whose resume discarded it. */
    discardedByAttempt: integer('discarded_by_attempt').notNull(),
    discardedAt: timestamp('discarded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'discarded_evals_pk', columns: [t.runId, t.discardedSeq, t.step] })],
);

export type DiscardedEval = typeof discardedEvals.$inferSelect;
