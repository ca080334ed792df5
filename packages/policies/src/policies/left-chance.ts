import type { Mode } from '../types';

/** The share of its headroom a run must have gained from its first eval to have left chance. */
export const CHANCE_SHARE = 0.05;

/**
 * Whether a run has left chance: its standing (oriented best so far) has moved from its first eval
 * by more than `chanceShare` of its headroom (1 − first for a metric in [0, 1] to maximise; first
 * itself, towards 0, for a positive metric to minimise; |first| otherwise). A run that has not
 * cannot be told apart from one that has learned nothing yet, so it outranks no other.
 */
export function leftChance(firstValue: number, standing: number, mode: Mode, chanceShare: number): boolean {
  const sign = mode === 'max' ? 1 : -1;
  let headroom: number;
  if (mode === 'max' && firstValue >= 0 && firstValue <= 1) headroom = 1 - firstValue;
  else if (mode === 'min' && firstValue > 0) headroom = firstValue;
  else headroom = Math.abs(firstValue);
  if (!(headroom > 0) || !Number.isFinite(headroom)) return true;
  return standing - sign * firstValue > chanceShare * headroom;
}
