import { PolicyOptionsError } from '../errors';
import { checkNumber } from '../option-checks';
import type { LrAtInput } from './lr-at';

/** `lr_schedule: { name: cosine, warmup_tokens, min_lr }`. */
export interface CosineScheduleOptions {
  name: 'cosine';
  /** Tokens of linear warmup from 0 to the base LR. @defaultValue 0 */
  warmup_tokens?: number | undefined;
  /** LR reached at the end of the budget. @defaultValue 0 */
  min_lr?: number | undefined;
}

/** Options with defaults applied and checked against the run's base LR and budget. */
export function checkCosineSchedule(
  options: CosineScheduleOptions,
  run: { baseLr: number; budgetTokens: number },
): Required<CosineScheduleOptions> {
  const warmup = checkNumber('lr_schedule.warmup_tokens', options.warmup_tokens ?? 0, {
    min: 0,
    integer: true,
  });
  const minLr = checkNumber('lr_schedule.min_lr', options.min_lr ?? 0, { min: 0 });
  if (warmup >= run.budgetTokens) {
    throw new PolicyOptionsError(
      `lr_schedule.warmup_tokens: expected fewer tokens than the budget (${run.budgetTokens}), got ${warmup}`,
    );
  }
  if (minLr > run.baseLr) {
    throw new PolicyOptionsError(
      `lr_schedule.min_lr: expected at most the base lr (${run.baseLr}), got ${minLr}`,
    );
  }
  return { name: 'cosine', warmup_tokens: warmup, min_lr: minLr };
}

/**
 * Linear warmup from 0 at token 0 to `baseLr` at `warmup_tokens`, then half a cosine from
 * `baseLr` down to `min_lr` at `budgetTokens`; `min_lr` beyond the budget.
 */
export function cosineLrAt(options: CosineScheduleOptions, at: LrAtInput): number {
  const warmup = options.warmup_tokens ?? 0;
  const minLr = options.min_lr ?? 0;
  const tokens = Math.max(0, at.tokens);
  if (tokens < warmup) return (at.baseLr * tokens) / warmup;
  const span = at.budgetTokens - warmup;
  const progress = span > 0 ? Math.min(1, (tokens - warmup) / span) : 1;
  return minLr + (at.baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
