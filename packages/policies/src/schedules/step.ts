import { checkNumber } from '../option-checks';
import type { LrAtInput } from './lr-at';

/** `lr_schedule: { name: step, step_tokens, factor }`. */
export interface StepScheduleOptions {
  name: 'step';
  /** Multiply the LR by `factor` every `step_tokens` training tokens. Integer >= 1. */
  step_tokens: number;
  /** Multiplier applied at each step, in (0, 1). */
  factor: number;
}

export function checkStepSchedule(options: StepScheduleOptions): StepScheduleOptions {
  return {
    name: 'step',
    step_tokens: checkNumber('lr_schedule.step_tokens', options.step_tokens, { min: 1, integer: true }),
    factor: checkNumber('lr_schedule.factor', options.factor, { gt: 0, lt: 1 }),
  };
}

/** `baseLr × factor^⌊tokens / step_tokens⌋`: the drop happens at exactly k·step_tokens. */
export function stepLrAt(options: StepScheduleOptions, at: LrAtInput): number {
  const steps = Math.floor(Math.max(0, at.tokens) / options.step_tokens);
  return at.baseLr * options.factor ** steps;
}
