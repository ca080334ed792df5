import { z } from 'zod';
import { Attempt, RunId, Step, Tokens } from './fields.js';

/**
 * The attempt adopts a checkpoint of an earlier attempt (`step` and `fromAttempt`), or none
 * (both null: from scratch). Evals and decisions past the step are discarded.
 */
export const ResumeRequest = z
  .strictObject({
    runId: RunId,
    attempt: Attempt,
    step: Step.nullable(),
    fromAttempt: Attempt.nullable(),
  })
  .refine((r) => (r.step === null) === (r.fromAttempt === null), {
    error: 'step and fromAttempt go together: both set (a checkpoint) or both null (from scratch)',
    path: ['fromAttempt'],
  });
export type ResumeRequest = z.infer<typeof ResumeRequest>;

export const ResumeResponse = z.strictObject({
  /** The step training goes on from (0: from scratch). */
  step: Step,
  tokens: Tokens,
  /** How many evals past the step were discarded. */
  discarded: z.int().min(0),
});
export type ResumeResponse = z.infer<typeof ResumeResponse>;
