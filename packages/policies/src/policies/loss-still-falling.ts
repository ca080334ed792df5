import { linearTrend } from '../curve-stats';
import type { EvalPoint } from '../types';

/** Names under which an eval may carry its validation loss. */
const LOSS_KEYS = ['loss', 'val_loss'] as const;
/** Recent evals looked at, and the fewest that say anything. */
const WINDOW_EVALS = 8;
const MIN_EVALS = 4;
/** Falling means the slope stays below 0 by two standard errors. */
const FALLING_SIGMAS = 2;

function lossOf(e: EvalPoint): number | undefined {
  for (const key of LOSS_KEYS) {
    const v = e.metrics?.[key];
    if (v !== undefined && Number.isFinite(v)) return v;
  }
  return undefined;
}

/**
 * Whether the validation loss, when the evals carry one, is still clearly falling over the recent
 * evals: a model still getting better at the task though exact match has not moved yet is a
 * reason to wait rather than stop.
 */
export function lossStillFalling(evals: readonly EvalPoint[], budgetTokens: number): boolean {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = Math.max(0, evals.length - WINDOW_EVALS); i < evals.length; i++) {
    const e = evals[i] as EvalPoint;
    const loss = lossOf(e);
    if (loss === undefined) continue;
    xs.push(e.tokens / budgetTokens);
    ys.push(loss);
  }
  if (ys.length < MIN_EVALS) return false;
  const { slope, slopeSe } = linearTrend(xs, ys, 0, ys.length - 1);
  return Number.isFinite(slopeSe) && slope + FALLING_SIGMAS * slopeSe < 0;
}
