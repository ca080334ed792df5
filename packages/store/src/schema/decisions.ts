import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import { experiments } from './experiments.js';
import { metaModels } from './meta-models.js';
import { runs } from './runs.js';

export const DECISION_KINDS = ['continue', 'stop', 'adjust'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/**
 * The decision log: what the policy answered after each eval, with what it saw, so that
 * `replayDecisionLog` rebuilds every decision's input and checks it gives the same answer.
 */
export const decisions = pgTable(
  'decisions',
  {
    experimentId: text('experiment_id')
      .notNull()
      .references(() => experiments.id, { onDelete: 'cascade' }),
    /** Experiment event sequence number: the same as the eval's. */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    step: integer('step').notNull(),
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
    /** The experiment's events the decision saw: every one with a sequence number up to this. */
    watermark: bigint('watermark', { mode: 'number' }).notNull(),
    kind: text('kind', { enum: DECISION_KINDS }).notNull(),
    /** Stop reason (patience, halving, diverged, cancelled…) or adjust reason; null for continue. */
    reason: text('reason'),
    /** The whole decision as the trainer received it. */
    decision: jsonb('decision').$type<Record<string, unknown>>().notNull(),
    /** The policy's state after deciding (plain JSON; the next decision starts from it). */
    policyState: jsonb('policy_state').$type<Record<string, unknown>>().notNull(),
    stopModelVersion: integer('stop_model_version').references(() => metaModels.version),
    /** Set when a resumed attempt discarded the eval this decision was about. */
    discardedSeq: bigint('discarded_seq', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'decisions_pk', columns: [t.experimentId, t.seq] }),
    unique('decisions_run_id_attempt_step_unique').on(t.runId, t.attempt, t.step),
    index('decisions_run_id_step_idx').on(t.runId, t.step),
    check('decisions_kind_check', sql`${t.kind} in ('continue', 'stop', 'adjust')`),
  ],
);

export type DecisionRow = typeof decisions.$inferSelect;
export type NewDecisionRow = typeof decisions.$inferInsert;
