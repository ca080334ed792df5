import { z } from 'zod';
import { Attempt, Metrics, RunId, Step, Tokens } from './fields.js';

/**
 * One eval of a run. `metrics` are what policies may monitor: the built-in trainer sends em,
 * loss (validation), perplexity and train_loss; a command trainer whatever it measures.
 */
export const EvalReport = z.strictObject({
  runId: RunId,
  attempt: Attempt,
  step: Step,
  /** Training tokens so far. */
  tokens: Tokens,
  /** Validation tokens so far. */
  valTokens: Tokens.default(0),
  metrics: Metrics,
  /** Learning rate used up to this eval. */
  lr: z.number().nullable().default(null),
  /** Validation examples scored at this eval. */
  valExamples: z.int().min(0).nullable().default(null),
  /** Whether the whole validation set was scored. */
  full: z.boolean().default(true),
  weightDecay: z.number().nullable().default(null),
  dropout: z.number().nullable().default(null),
});
export type EvalReport = z.infer<typeof EvalReport>;
/** What a trainer writes: defaulted fields optional. */
export type EvalReportInput = z.input<typeof EvalReport>;

/** The policy's answer: go on, stop (with why), or change the learning rate or regularisation. */
export const Decision = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('continue') }),
  z.strictObject({ kind: z.literal('stop'), reason: z.string(), detail: z.string().optional() }),
  z.strictObject({
    kind: z.literal('adjust'),
    lrFactor: z.number().optional(),
    lr: z.number().optional(),
    weightDecay: z.number().optional(),
    dropout: z.number().optional(),
    reason: z.string(),
  }),
]);
export type Decision = z.infer<typeof Decision>;

export const ReportResponse = z.strictObject({
  decision: Decision,
  /** The experiment event sequence number the eval and decision were recorded at. */
  seq: z.int(),
  /** True when this (run, attempt, step) had been reported before: the recorded decision. */
  repeated: z.boolean(),
});
export type ReportResponse = z.infer<typeof ReportResponse>;
