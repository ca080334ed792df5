import { ReverseParams } from '@curfew/spec';
import { describe, expect, it } from 'vitest';
import { reverseTask } from './reverse.js';
import { allExamples, decodeExample } from './test-support.js';

const generate = (params: Partial<ReverseParams>) => reverseTask.generate(ReverseParams.parse(params));

describe('reverse', () => {
  it('targets the reversed input, for every example', () => {
    const data = generate({ length: 7, vocab: 5, train_examples: 500, val_examples: 100 });
    expect(data.vocab).toEqual(['<pad>', 'a', 'b', 'c', 'd', 'e']);
    expect([data.inputLength, data.targetLength]).toEqual([7, 7]);
    for (const example of allExamples(data)) {
      const { input, target } = decodeExample(example, data);
      expect(input).toHaveLength(7);
      expect(target).toEqual([...input].reverse());
    }
  });

  it('uses every symbol of the vocab and no other', () => {
    const data = generate({ length: 4, vocab: 64, train_examples: 2000, val_examples: 10 });
    const ids = new Set(allExamples(data).flatMap((example) => example.input));
    expect(Math.min(...ids)).toBe(1);
    expect(Math.max(...ids)).toBe(64);
    expect(ids.size).toBe(64);
  });

  it('says how many distinct inputs there are when asked for more', () => {
    expect(() => generate({ length: 2, vocab: 2 })).toThrow(
      'task.params.train_examples: reverse with length 2 and vocab 2 has only 4 distinct inputs, asked for 20000',
    );
  });

  it('normalises to the symbols', () => {
    const data = generate({ length: 3, vocab: 3, train_examples: 1, val_examples: 1 });
    expect(reverseTask.normalize([3, 1, 2], data)).toBe('c a b');
  });
});
