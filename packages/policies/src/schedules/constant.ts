import type { LrAtInput } from './lr-at';

/** `lr_schedule: { name: constant }`, also what an absent schedule means. */
export interface ConstantScheduleOptions {
  name: 'constant';
}

/** The base LR, whatever the tokens. */
export function constantLrAt(at: LrAtInput): number {
  return at.baseLr;
}
