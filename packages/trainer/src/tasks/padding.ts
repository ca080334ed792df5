import { PAD } from './task.js';

/** `ids` followed by {@link PAD} up to `length`; throws when `ids` is already longer. */
export function padIds(ids: readonly number[], length: number): number[] {
  if (ids.length > length) {
    throw new RangeError(`cannot pad ${ids.length} tokens to ${length}: the sequence is longer`);
  }
  const out = ids.slice();
  while (out.length < length) out.push(PAD);
  return out;
}

/**
 * `ids` without their trailing {@link PAD}s. A pad between real tokens is kept: it is a wrong
 * token there, not padding, and must not make a wrong answer match.
 */
export function stripPadding(ids: readonly number[]): number[] {
  let end = ids.length;
  while (end > 0 && ids[end - 1] === PAD) end--;
  return ids.slice(0, end);
}
