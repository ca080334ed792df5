import { AddParams } from '@curfew/spec';
import { describe, expect, it } from 'vitest';
import { addTask } from './add.js';
import { allExamples, decodeExample } from './test-support.js';

const generate = (params: Partial<AddParams>) => addTask.generate(AddParams.parse(params));

/** An LSB-first digit string as a number. */
const lsbFirst = (digits: readonly string[]) => BigInt([...digits].reverse().join(''));

describe('add', () => {
  it('writes a + b LSB first and the sum LSB first on digits + 1 digits, for every example', () => {
    for (const digits of [1, 3, 12]) {
      const data = generate({ digits, train_examples: 80, val_examples: 20 });
      expect(data.inputLength).toBe(2 * digits + 1);
      expect(data.targetLength).toBe(digits + 1);
      for (const example of allExamples(data)) {
        const { input, target } = decodeExample(example, data);
        expect(input[digits]).toBe('+');
        expect(input).toHaveLength(2 * digits + 1);
        expect(target).toHaveLength(digits + 1);
        const a = lsbFirst(input.slice(0, digits));
        const b = lsbFirst(input.slice(digits + 1));
        expect(lsbFirst(target)).toBe(a + b);
      }
    }
  });

  it('uses the vocab pad, 0–9, +', () => {
    expect(generate({ train_examples: 1, val_examples: 1 }).vocab).toEqual([
      '<pad>',
      ...'0123456789'.split(''),
      '+',
    ]);
  });

  it('normalises to the sum in decimal: MSB first, no leading zeros', () => {
    const data = generate({ digits: 2, train_examples: 1, val_examples: 1 });
    const ids = (lsb: string) => [...lsb].map((digit) => Number(digit) + 1);
    expect(addTask.normalize(ids('070'), data)).toBe('70');
    expect(addTask.normalize(ids('07'), data)).toBe('70');
    expect(addTask.normalize(ids('000'), data)).toBe('0');
    expect(addTask.normalize([], data)).toBe('');
  });

  it('refuses more examples than the 100 sums of one-digit operands', () => {
    expect(() => generate({ digits: 1 })).toThrow(
      'task.params.train_examples: add with digits 1 has only 100 distinct inputs, asked for 20000',
    );
    expect(() => generate({ digits: 1, train_examples: 95, val_examples: 10 })).toThrow(
      /^task\.params\.val_examples: add with digits 1 has only 100 distinct inputs/,
    );
  });

  it('gives a budget of 1.25 × 15000 × digits³ examples, evaluated 30 times, whatever the data size', () => {
    // 1.25 × 15000 × 3³ examples × (7 input + 4 target) tokens.
    const defaults = { budgetTokens: 5_568_750, evalEveryTokens: 185_625 };
    expect(addTask.defaults(AddParams.parse({}))).toEqual(defaults);
    expect(addTask.defaults(AddParams.parse({ train_examples: 1000, seed: 4 }))).toEqual(defaults);
    // 1.25 × 15000 × 2³ examples × (5 + 3) tokens.
    expect(addTask.defaults(AddParams.parse({ digits: 2 })).budgetTokens).toBe(1_200_000);
  });
});
