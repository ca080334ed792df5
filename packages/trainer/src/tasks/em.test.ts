import { describe, expect, it } from 'vitest';
import { emOf, exactMatch } from './em.js';
import { padIds } from './padding.js';
import { generateTask, taskFamily } from './registry.js';
import { PAD } from './task.js';

describe('exactMatch', () => {
  const data = generateTask({ family: 'kv-qa', params: { train_examples: 10, val_examples: 10 } });
  const family = taskFamily('kv-qa');
  const example = data.val[0]!;

  it('matches a correct answer padded to the target length', () => {
    expect(exactMatch(example.target, example, family, data)).toBe(true);
    expect(exactMatch(padIds(example.target, data.targetLength + 3), example, family, data)).toBe(true);
  });

  it('does not match when one token is wrong', () => {
    const wrong = example.target.slice();
    wrong[0] = wrong[0] === 1 ? 2 : 1;
    expect(exactMatch(wrong, example, family, data)).toBe(false);
  });

  it('does not match a truncated answer, or one with a pad between real tokens', () => {
    expect(exactMatch(example.target.slice(0, -1), example, family, data)).toBe(false);
    expect(exactMatch([example.target[0]!, PAD, ...example.target.slice(1)], example, family, data)).toBe(
      false,
    );
  });

  it('reads add answers as numbers: a pad for the final carry digit still matches', () => {
    const add = generateTask({ family: 'add', params: { digits: 2, train_examples: 10, val_examples: 10 } });
    const small = add.val.find((candidate) => candidate.target.at(-1) === 1)!; // carry digit 0
    expect(small).toBeDefined();
    const withPad = [...small.target.slice(0, -1), PAD];
    expect(exactMatch(withPad, small, taskFamily('add'), add)).toBe(true);
    expect(exactMatch([PAD, PAD, PAD], small, taskFamily('add'), add)).toBe(false);
  });
});

describe('emOf', () => {
  const data = generateTask({ family: 'reverse', params: { train_examples: 10, val_examples: 4 } });
  const family = taskFamily('reverse');

  it('is the fraction of exact matches', () => {
    const preds = data.val.map((example, i) => (i === 0 ? example.input.slice() : example.target.slice()));
    const palindrome = data.val[0]!.input.join() === data.val[0]!.target.join();
    expect(emOf(preds, data.val, family, data)).toBe(palindrome ? 1 : 0.75);
    expect(
      emOf(
        data.val.map((example) => example.target),
        data.val,
        family,
        data,
      ),
    ).toBe(1);
  });

  it('refuses mismatched or empty lists', () => {
    expect(() => emOf([], data.val, family, data)).toThrow('4 examples');
    expect(() => emOf([], [], family, data)).toThrow('undefined');
  });
});
