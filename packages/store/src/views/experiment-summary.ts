import { bigint, doublePrecision, pgView, text, timestamp } from 'drizzle-orm/pg-core';

/** `experiment_summary`: one row per experiment, totals from its runs. Defined in migrations/0001_views.sql. */
export const experimentSummary = pgView('experiment_summary', {
  experiment: text('experiment').notNull(),
  name: text('name').notNull(),
  status: text('status').notNull(),
  taskFamily: text('task_family').notNull(),
  policy: text('policy').notNull(),
  tolerance: doublePrecision('tolerance'),
  runs: bigint('runs', { mode: 'number' }).notNull(),
  /** Completed or stopped early. */
  runsFinished: bigint('runs_finished', { mode: 'number' }).notNull(),
  runsStoppedEarly: bigint('runs_stopped_early', { mode: 'number' }).notNull(),
  runsFailed: bigint('runs_failed', { mode: 'number' }).notNull(),
  tokensUsed: bigint('tokens_used', { mode: 'number' }).notNull(),
  budgetTokens: bigint('budget_tokens', { mode: 'number' }),
  tokensSaved: doublePrecision('tokens_saved'),
  bestEm: doublePrecision('best_em'),
  bestRunId: text('best_run_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
}).existing();

export type ExperimentSummary = typeof experimentSummary.$inferSelect;
