import { describe, expect, it } from 'vitest';
import { createRng, hashSeed } from './prng.js';

describe('createRng', () => {
  it('repeats its sequence for the same seed and differs across seeds', () => {
    const draw = (seed: string | number) => {
      const rng = createRng(seed);
      return Array.from({ length: 5 }, () => rng());
    };
    expect(draw('a')).toEqual(draw('a'));
    expect(draw(7)).toEqual(draw('7'));
    expect(draw('a')).not.toEqual(draw('b'));
  });

  it('draws floats in [0, 1) spread evenly', () => {
    const rng = createRng('spread');
    const counts = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng();
      if (u < 0 || u >= 1) outside++;
      const bucket = Math.floor(u * 10);
      counts[bucket] = (counts[bucket] ?? 0) + 1;
    }
    expect(outside).toBe(0);
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('hashes a string to four fixed 32-bit words', () => {
    expect(hashSeed('curfew')).toEqual([3257234527, 1251833472, 518460413, 2481947681]);
  });
});
