import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

export const EXPERIMENT_STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

/** One submitted spec. `id` is human readable, e.g. `kv-qa-sweep-3`. */
export const experiments = pgTable(
  'experiments',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** The validated experiment spec, as submitted. */
    spec: jsonb('spec').$type<Record<string, unknown>>().notNull(),
    taskFamily: text('task_family').notNull(),
    policy: text('policy').notNull(),
    /** EM the user accepts to lose (0.005 = half a point). */
    tolerance: doublePrecision('tolerance'),
    status: text('status', { enum: EXPERIMENT_STATUSES }).notNull().default('pending'),
    priority: integer('priority').notNull().default(0),
    /** Null: no limit. */
    maxParallel: integer('max_parallel'),
    tokensUsed: bigint('tokens_used', { mode: 'number' }).notNull().default(0),
    /** Sum of the runs' budgets (max tokens per run × trials), when known. */
    budgetTokens: bigint('budget_tokens', { mode: 'number' }),
    bestEm: doublePrecision('best_em'),
    bestRunId: text('best_run_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /**
     * The experiment's event sequence: every eval, discard and run end of its runs takes the next
     * number, under this row's lock, so the decision log replays in the order it happened.
     */
    eventSeq: bigint('event_seq', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    index('experiments_status_idx').on(t.status),
    index('experiments_task_family_idx').on(t.taskFamily),
    check(
      'experiments_status_check',
      sql`${t.status} in ('pending', 'running', 'done', 'failed', 'cancelled')`,
    ),
  ],
);

export type Experiment = typeof experiments.$inferSelect;
export type NewExperiment = typeof experiments.$inferInsert;
