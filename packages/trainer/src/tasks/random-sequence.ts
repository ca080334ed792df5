import type { Rng } from '@curfew/spec';

/** A uniform integer in [0, n) (n ≤ 2^32, the resolution of the generator). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** `length` token ids drawn uniformly from `count` symbols whose ids start at `firstId`. */
export function randomSymbols(rng: Rng, length: number, count: number, firstId = 1): number[] {
  const ids = new Array<number>(length);
  for (let i = 0; i < length; i++) ids[i] = firstId + randomInt(rng, count);
  return ids;
}
