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
  unique,
} from 'drizzle-orm/pg-core';
import { experiments } from './experiments.js';

export const RUN_STATUSES = ['queued', 'running', 'stopped', 'completed', 'failed', 'cancelled'] as const;
/** `stopped`: ended early by its policy; `completed`: trained to its full budget. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses after which a run never trains again. */
export const FINAL_RUN_STATUSES = [
  'stopped',
  'completed',
  'failed',
  'cancelled',
] as const satisfies RunStatus[];

/** One trial of an experiment. `id` is `<experiment id>/<trial>`. */
export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    experimentId: text('experiment_id')
      .notNull()
      .references(() => experiments.id, { onDelete: 'cascade' }),
    trial: integer('trial').notNull(),
    /** The configuration drawn from the search space. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status', { enum: RUN_STATUSES }).notNull().default('queued'),
    budgetTokens: bigint('budget_tokens', { mode: 'number' }),
    tokensUsed: bigint('tokens_used', { mode: 'number' }).notNull().default(0),
    valTokens: bigint('val_tokens', { mode: 'number' }).notNull().default(0),
    bestStep: integer('best_step'),
    bestTokens: bigint('best_tokens', { mode: 'number' }),
    /** EM of the checkpoint the run would ship (its best eval). */
    deployedEm: doublePrecision('deployed_em'),
    stopReason: text('stop_reason'),
    /** Training backend used, e.g. `tensorflow`, `wasm`, `cpu`. */
    backend: text('backend'),
    error: text('error'),
    /** Attempts started; the latest one is the only one whose writes are accepted (the fence). */
    attempts: integer('attempts').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Experiment event sequence number at which the run reached its final status. */
    endSeq: bigint('end_seq', { mode: 'number' }),
    /**
     * Event sequence number of a cancel that came while the run trained: its next eval answers
     * stop (cancelled). An event like the others, so the decision log replays it.
     */
    cancelRequestedSeq: bigint('cancel_requested_seq', { mode: 'number' }),
  },
  (t) => [
    unique('runs_experiment_id_trial_unique').on(t.experimentId, t.trial),
    index('runs_status_idx').on(t.status),
    check(
      'runs_status_check',
      sql`${t.status} in ('queued', 'running', 'stopped', 'completed', 'failed', 'cancelled')`,
    ),
  ],
);

export type Run = typeof runs.$inferSelect;
export type NewRun = typeof runs.$inferInsert;
