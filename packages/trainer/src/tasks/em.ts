import { stripPadding } from './padding.js';
import type { Example, TaskData, TaskFamily } from './task.js';

/** What EM needs of a family: its normalisation. */
export type Normalizer = Pick<TaskFamily, 'normalize'>;

/**
 * Whether a prediction (token ids, padded to `data.targetLength`) is an exact match of the
 * example's target: trailing pads are dropped, then both sides go through the family's
 * normalisation and must be equal.
 */
export function exactMatch(
  predIds: readonly number[],
  example: Example,
  family: Normalizer,
  data: TaskData,
): boolean {
  return family.normalize(stripPadding(predIds), data) === family.normalize(example.target, data);
}

/** Fraction of predictions that exactly match their examples (the `i`-th answers the `i`-th). */
export function emOf(
  preds: readonly (readonly number[])[],
  examples: readonly Example[],
  family: Normalizer,
  data: TaskData,
): number {
  if (preds.length !== examples.length) {
    throw new RangeError(`emOf: ${preds.length} predictions for ${examples.length} examples`);
  }
  if (examples.length === 0) throw new RangeError('emOf: EM of no examples is undefined');
  let matches = 0;
  examples.forEach((example, i) => {
    if (exactMatch(preds[i] ?? [], example, family, data)) matches++;
  });
  return matches / examples.length;
}
