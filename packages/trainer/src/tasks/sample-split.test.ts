import { describe, expect, it } from 'vitest';
import { isTaskParamsError } from './errors.js';
import { randomSymbols } from './random-sequence.js';
import { checkSpaceFits, type InputSpace, sampleSplit } from './sample-split.js';
import { inputTexts } from './test-support.js';

/** Sequences of 3 symbols out of 3: 27 inputs. */
const tiny: InputSpace = {
  label: 'tiny with length 3 and vocab 3',
  size: 27,
  draw: (rng) => {
    const input = randomSymbols(rng, 3, 3);
    return { input, target: input };
  },
};

describe('checkSpaceFits', () => {
  it('names train_examples when train alone does not fit', () => {
    expect(() => checkSpaceFits(tiny, { train_examples: 28, val_examples: 1, seed: 0 })).toThrow(
      'task.params.train_examples: tiny with length 3 and vocab 3 has only 27 distinct inputs, asked for 28',
    );
  });

  it('names val_examples when train fits but val does not', () => {
    let caught: unknown;
    try {
      checkSpaceFits(tiny, { train_examples: 20, val_examples: 8, seed: 0 });
    } catch (error) {
      caught = error;
    }
    expect(isTaskParamsError(caught)).toBe(true);
    expect((caught as Error).message).toBe(
      'task.params.val_examples: tiny with length 3 and vocab 3 has only 27 distinct inputs and ' +
        'train_examples takes 20, leaving 7 for validation, asked for 8',
    );
  });

  it('accepts a split that fills the space exactly', () => {
    expect(() => checkSpaceFits(tiny, { train_examples: 20, val_examples: 7, seed: 0 })).not.toThrow();
  });
});

describe('sampleSplit', () => {
  it('fills the whole space with distinct inputs when asked to', () => {
    const { train, val } = sampleSplit('tiny', tiny, { train_examples: 20, val_examples: 7, seed: 3 });
    const texts = inputTexts([...train, ...val]);
    expect(new Set(texts).size).toBe(27);
  });

  it('keeps val out of train and every input distinct', () => {
    const { train, val } = sampleSplit('tiny', tiny, { train_examples: 15, val_examples: 10, seed: 1 });
    const trainTexts = new Set(inputTexts(train));
    expect(trainTexts.size).toBe(15);
    expect(new Set(inputTexts(val)).size).toBe(10);
    expect(inputTexts(val).filter((text) => trainTexts.has(text))).toEqual([]);
  });

  it('extends a smaller train set when train_examples grows, with the same seed', () => {
    const small = sampleSplit('tiny', tiny, { train_examples: 5, val_examples: 2, seed: 9 });
    const large = sampleSplit('tiny', tiny, { train_examples: 12, val_examples: 2, seed: 9 });
    expect(large.train.slice(0, 5)).toEqual(small.train);
  });
});
