import { bigint, boolean, integer, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { runs } from './runs.js';

/** Metadata of a saved checkpoint; the weights live at `path`. */
export const checkpoints = pgTable(
  'checkpoints',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    step: integer('step').notNull(),
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
    path: text('path').notNull(),
    isBest: boolean('is_best').notNull().default(false),
    bytes: bigint('bytes', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** The run attempt that wrote it (each attempt has its own folder). */
    attempt: integer('attempt'),
    /** Event sequence number of the resume that made it unusable (it holds discarded evals). */
    discardedSeq: bigint('discarded_seq', { mode: 'number' }),
  },
  (t) => [unique('checkpoints_run_id_attempt_step_unique').on(t.runId, t.attempt, t.step)],
);

export type Checkpoint = typeof checkpoints.$inferSelect;
export type NewCheckpoint = typeof checkpoints.$inferInsert;
