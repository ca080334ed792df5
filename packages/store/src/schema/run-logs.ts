import { sql } from 'drizzle-orm';
import { bigint, check, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { runs } from './runs.js';

/** Most characters of output kept per attempt: the tail (the end is what explains a failure). */
export const RUN_LOG_MAX_CHARS = 256 * 1024;

/**
 * A command trainer's output (its lines that are not eval lines, and curfew's notes about it),
 * one row per attempt, bounded: only the last {@link RUN_LOG_MAX_CHARS} characters are kept.
 */
export const runLogs = pgTable(
  'run_logs',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    /** The latest output, lines ending in a newline. */
    text: text('text').notNull().default(''),
    /** Characters written over the attempt, kept or not. */
    totalChars: bigint('total_chars', { mode: 'number' }).notNull().default(0),
    /** Characters dropped from the start to keep the bound. */
    droppedChars: bigint('dropped_chars', { mode: 'number' }).notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'run_logs_pk', columns: [t.runId, t.attempt] }),
    check('run_logs_text_bound', sql`length(${t.text}) <= ${sql.raw(String(RUN_LOG_MAX_CHARS))}`),
  ],
);

export type RunLog = typeof runLogs.$inferSelect;
