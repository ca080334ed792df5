import { z } from 'zod';
import { intField, numberField } from './fields.js';

export const lrScheduleNames = ['constant', 'step', 'exponential', 'cosine', 'reduce-on-plateau'] as const;
export type LrScheduleName = (typeof lrScheduleNames)[number];

const fraction = () => numberField({ gt: 0, lt: 1 });

export const ConstantSchedule = z.strictObject({ name: z.literal('constant') });
export const StepSchedule = z.strictObject({
  name: z.literal('step'),
  step_tokens: intField({ min: 1 }).describe('Multiply the LR by factor every step_tokens tokens.'),
  factor: fraction().describe('Multiplier applied at each step.'),
});
export const ExponentialSchedule = z.strictObject({
  name: z.literal('exponential'),
  decay_rate: fraction().describe('LR multiplier per decay_tokens tokens.'),
  decay_tokens: intField({ min: 1 }).describe('Tokens over which the LR decays by decay_rate.'),
});
export const CosineSchedule = z.strictObject({
  name: z.literal('cosine'),
  warmup_tokens: intField({ min: 0 }).default(0).describe('Tokens of linear warmup.'),
  min_lr: numberField({ min: 0 }).default(0).describe('LR at the end of the budget.'),
});
export const ReduceOnPlateauSchedule = z.strictObject({
  name: z.literal('reduce-on-plateau'),
  factor: fraction().default(0.5).describe('LR multiplier on a plateau.'),
  patience: intField({ min: 0 }).default(2).describe('Evals without improvement before reducing.'),
  cooldown: intField({ min: 0 }).default(0).describe('Evals to wait after a reduction.'),
  min_lr: numberField({ min: 0 }).default(0).describe('The LR never goes below this.'),
  min_delta: numberField({ min: 0 }).default(0).describe('Smallest change that counts as improvement.'),
});

/** The LR schedule; absent means `constant`. */
export const LrScheduleSpec = z.discriminatedUnion('name', [
  ConstantSchedule,
  StepSchedule,
  ExponentialSchedule,
  CosineSchedule,
  ReduceOnPlateauSchedule,
]);
export type LrScheduleSpec = z.infer<typeof LrScheduleSpec>;
