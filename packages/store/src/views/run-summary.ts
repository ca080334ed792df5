import { bigint, doublePrecision, integer, jsonb, pgView, text, timestamp } from 'drizzle-orm/pg-core';

/** `run_summary`: one row per run. Defined in migrations/0001_views.sql. */
export const runSummary = pgView('run_summary', {
  experiment: text('experiment').notNull(),
  experimentName: text('experiment_name').notNull(),
  runId: text('run_id').notNull(),
  trial: integer('trial').notNull(),
  status: text('status').notNull(),
  config: jsonb('config').$type<Record<string, unknown>>().notNull(),
  tokensUsed: bigint('tokens_used', { mode: 'number' }).notNull(),
  budgetTokens: bigint('budget_tokens', { mode: 'number' }),
  /** Fraction: 1 − tokens_used / budget_tokens; null when the budget is unknown. */
  tokensSaved: doublePrecision('tokens_saved'),
  bestStep: integer('best_step'),
  deployedEm: doublePrecision('deployed_em'),
  stopReason: text('stop_reason'),
  backend: text('backend'),
  evals: bigint('evals', { mode: 'number' }).notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
}).existing();

export type RunSummary = typeof runSummary.$inferSelect;
