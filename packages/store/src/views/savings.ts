import { bigint, doublePrecision, pgView, text } from 'drizzle-orm/pg-core';

/**
 * `savings`: tokens saved by finished runs per task family and policy, plus an overall row
 * (`taskFamily` = 'all'). Defined in migrations/0001_views.sql.
 */
export const savings = pgView('savings', {
  taskFamily: text('task_family').notNull(),
  policy: text('policy').notNull(),
  experiments: bigint('experiments', { mode: 'number' }).notNull(),
  runs: bigint('runs', { mode: 'number' }).notNull(),
  tokensUsed: bigint('tokens_used', { mode: 'number' }),
  budgetTokens: bigint('budget_tokens', { mode: 'number' }),
  tokensSaved: doublePrecision('tokens_saved'),
  meanDeployedEm: doublePrecision('mean_deployed_em'),
}).existing();

export type Savings = typeof savings.$inferSelect;
