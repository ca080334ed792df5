import { SortParams } from '@curfew/spec';
import { describe, expect, it } from 'vitest';
import { sortTask } from './sort.js';
import { allExamples } from './test-support.js';

const generate = (params: Partial<SortParams>) => sortTask.generate(SortParams.parse(params));

describe('sort', () => {
  it('targets the input sorted by id, duplicates kept, for every example', () => {
    const data = generate({ length: 9, vocab: 4, train_examples: 500, val_examples: 100 });
    for (const example of allExamples(data)) {
      expect(example.target).toHaveLength(9);
      for (let i = 1; i < example.target.length; i++) {
        expect(example.target[i]).toBeGreaterThanOrEqual(example.target[i - 1] ?? 0);
      }
      // Same multiset: the sorted input is the target.
      expect([...example.input].sort((x, y) => x - y)).toEqual(example.target);
    }
  });

  it('keeps symbol order equal to id order', () => {
    const data = generate({ vocab: 12, train_examples: 1, val_examples: 1 });
    expect(data.vocab.slice(1).join('')).toBe('abcdefghijkl');
  });

  it('says how many distinct inputs there are when asked for more', () => {
    expect(() => generate({ length: 3, vocab: 2, train_examples: 5, val_examples: 5 })).toThrow(
      'task.params.val_examples: sort with length 3 and vocab 2 has only 8 distinct inputs and ' +
        'train_examples takes 5, leaving 3 for validation, asked for 5',
    );
  });
});
