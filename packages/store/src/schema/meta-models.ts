import { doublePrecision, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** A fitted meta-learner, one row per refit. */
export const metaModels = pgTable('meta_models', {
  version: integer('version').primaryKey().generatedAlwaysAsIdentity(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  nRuns: integer('n_runs').notNull(),
  nTasks: integer('n_tasks').notNull(),
  state: jsonb('state').$type<Record<string, unknown>>().notNull(),
  /** Leave-one-task-out error of the fit. */
  lotoError: doublePrecision('loto_error'),
  notes: text('notes'),
});

export type MetaModel = typeof metaModels.$inferSelect;
export type NewMetaModel = typeof metaModels.$inferInsert;
