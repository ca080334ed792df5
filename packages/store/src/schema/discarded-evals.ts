import { bigint, integer, pgTable, primaryKey, timestamp } from 'drizzle-orm/pg-core';
import { evalColumns } from './evals.js';

/**
 * Evals a resumed attempt discarded (they lay past the checkpoint it resumed from), moved here
 * from `evals` so that `evals` keeps one live row per run and step while the decision log stays
 * replayable. Columns as in `evals`, plus when and by whom they were discarded.
 */
export const discardedEvals = pgTable(
  'discarded_evals',
  {
    ...evalColumns(),
    /** Event sequence number of the resume that discarded it. */
    discardedSeq: bigint('discarded_seq', { mode: 'number' }).notNull(),
    /** The attempt whose resume discarded it. */
    discardedByAttempt: integer('discarded_by_attempt').notNull(),
    discardedAt: timestamp('discarded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'discarded_evals_pk', columns: [t.runId, t.discardedSeq, t.step] })],
);

export type DiscardedEval = typeof discardedEvals.$inferSelect;
