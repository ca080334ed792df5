import { checkNumber } from '../option-checks';
import type { LrAtInput } from './lr-at';

/** `lr_schedule: { name: exponential, decay_rate, decay_tokens }`. */
export interface ExponentialScheduleOptions {
  name: 'exponential';
  /** LR multiplier per `decay_tokens` tokens, in (0, 1). */
  decay_rate: number;
  /** Tokens over which the LR decays by `decay_rate`. Integer >= 1. */
  decay_tokens: number;
}

export function checkExponentialSchedule(options: ExponentialScheduleOptions): ExponentialScheduleOptions {
  return {
    name: 'exponential',
    decay_rate: checkNumber('lr_schedule.decay_rate', options.decay_rate, { gt: 0, lt: 1 }),
    decay_tokens: checkNumber('lr_schedule.decay_tokens', options.decay_tokens, { min: 1, integer: true }),
  };
}

/** `baseLr × decay_rate^(tokens / decay_tokens)`, continuous (Keras ExponentialDecay, staircase off). */
export function exponentialLrAt(options: ExponentialScheduleOptions, at: LrAtInput): number {
  return at.baseLr * options.decay_rate ** (Math.max(0, at.tokens) / options.decay_tokens);
}
