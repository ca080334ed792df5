import { sql } from 'drizzle-orm';
import { check, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { metaModels } from './meta-models.js';
import { runs } from './runs.js';

export const ATTEMPT_OUTCOMES = [
  'completed',
  'stopped',
  'cancelled',
  'failed',
  'requeued',
  'superseded',
  'abandoned',
] as const;
/**
 * How an attempt ended: the run's final status (`completed`, `stopped`, `cancelled`, `failed`),
 * `requeued` (it failed and the run went back to the queue), `superseded` (another attempt of the
 * run started: this one was presumed dead) or `abandoned` (the reconciler found no live job).
 */
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One attempt at training a run: a worker took it, maybe resumed a checkpoint, and it ended somehow. */
export const runAttempts = pgTable(
  'run_attempts',
  {
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    /** 1 for the first attempt; equals runs.attempts while it is the live one. */
    attempt: integer('attempt').notNull(),
    /** Which worker process took it (host:pid). */
    workerId: text('worker_id').notNull(),
    backend: text('backend'),
    /** Stop-model version (meta_models) the run's policy decides with; kept across attempts. */
    stopModelVersion: integer('stop_model_version').references(() => metaModels.version),
    /** The earlier attempt whose checkpoint this one adopted, if any. */
    resumedFromAttempt: integer('resumed_from_attempt'),
    /** Step of the adopted checkpoint; 0 when the attempt started from scratch. */
    resumedFromStep: integer('resumed_from_step'),
    resumedAt: timestamp('resumed_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    /** Last eval reported by this attempt. */
    lastReportAt: timestamp('last_report_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /** Null while the attempt is live. */
    outcome: text('outcome', { enum: ATTEMPT_OUTCOMES }),
    error: text('error'),
  },
  (t) => [
    primaryKey({ name: 'run_attempts_pk', columns: [t.runId, t.attempt] }),
    check(
      'run_attempts_outcome_check',
      sql`${t.outcome} in ('completed', 'stopped', 'cancelled', 'failed', 'requeued', 'superseded', 'abandoned')`,
    ),
  ],
);

export type RunAttempt = typeof runAttempts.$inferSelect;
export type NewRunAttempt = typeof runAttempts.$inferInsert;
