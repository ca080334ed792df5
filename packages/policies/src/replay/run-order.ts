import { mulberry32 } from '../prng';
import type { Curve } from './curve';

/**
 * The curves with their order shuffled by a seeded generator: each group's runs start in another
 * order (groups replay independently, so only the order within a group matters). Seed 0 keeps
 * the given order.
 */
export function shuffledRuns<T extends Curve>(curves: readonly T[], seed: number): T[] {
  if (seed === 0) return [...curves];
  const random = mulberry32(seed);
  return curves
    .map((c) => ({ c, key: random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ c }) => c);
}
