import { ExperimentSpec } from '@curfew/spec';
import { z } from 'zod';

/** A training run for a worker: the experiment's validated spec and the trial's parameters. */
export const TrainRunJob = z.strictObject({
  runId: z.string().regex(/^[a-z0-9-]+\/\d+$/, { error: 'expected <experiment id>/<trial>' }),
  experimentId: z.string().min(1),
  trial: z.int().min(0),
  spec: ExperimentSpec,
  /** Every model and optimizer parameter of the trial (expandSearch's `params`). */
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
});
export type TrainRunJob = z.infer<typeof TrainRunJob>;

/**
 * What a finished train-run job returns (small: the full record is in Postgres). `superseded`:
 * this attempt stopped because another one owns the run (or it ended meanwhile).
 */
export const TrainRunResult = z.strictObject({
  runId: z.string(),
  status: z.enum(['stopped', 'completed', 'cancelled', 'superseded']),
  stopReason: z.string().nullable(),
  tokensUsed: z.number(),
  deployedEm: z.number().nullable(),
});
export type TrainRunResult = z.infer<typeof TrainRunResult>;
