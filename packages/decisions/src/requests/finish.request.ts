import { z } from 'zod';
import { Attempt, Reason, RunId, Step, Tokens } from './fields.js';

/** The live attempt ends its run: trained to its end, or stopped by its policy or a cancel. */
export const FinishRequest = z.strictObject({
  runId: RunId,
  attempt: Attempt,
  outcome: z.strictObject({
    status: z.enum(['stopped', 'completed', 'cancelled']),
    stopReason: z.string().max(200).nullable(),
    tokensUsed: Tokens,
    valTokens: Tokens,
    bestStep: Step.nullable(),
    bestTokens: Tokens.nullable(),
    deployedEm: z.number().min(0).max(1).nullable(),
  }),
});
export type FinishRequest = z.infer<typeof FinishRequest>;

/**
 * The attempt failed. `retryable`: the run goes back to the queue (a transient error); else it
 * fails for good. `attempt` null: no attempt could start (a payload that cannot be trained).
 */
export const FailRequest = z.strictObject({
  runId: RunId,
  attempt: Attempt.nullable(),
  reason: Reason,
  retryable: z.boolean(),
});
export type FailRequest = z.infer<typeof FailRequest>;

export const EndResponse = z.strictObject({
  /** The run's status afterwards. */
  status: z.string(),
  /** True when the run had already ended this way (a retried request). */
  repeated: z.boolean(),
});
export type EndResponse = z.infer<typeof EndResponse>;

/** The live attempt wrote a checkpoint (in its own folder). */
export const CheckpointRequest = z.strictObject({
  runId: RunId,
  attempt: Attempt,
  kind: z.enum(['latest', 'best']),
  step: Step,
  tokens: Tokens,
  path: z.string().min(1).max(4_096),
  bytes: z.int().min(0),
});
export type CheckpointRequest = z.infer<typeof CheckpointRequest>;

/** The reconciler found no live job for the run's live attempt: it is abandoned. */
export const AbandonRequest = z.strictObject({
  runId: RunId,
  attempt: Attempt,
  reason: Reason,
});
export type AbandonRequest = z.infer<typeof AbandonRequest>;
