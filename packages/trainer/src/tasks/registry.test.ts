import { taskFamilyNames } from '@curfew/spec';
import { describe, expect, it } from 'vitest';
import { isTaskParamsError } from './errors.js';
import { describeTaskFamilies, generateTask, taskDefaults, taskFamily } from './registry.js';
import { exampleTokens, type TaskData } from './task.js';
import { allExamples, inputTexts } from './test-support.js';

const small = { train_examples: 300, val_examples: 100 };

describe.each(taskFamilyNames)('%s', (family) => {
  const generate = (params: Record<string, unknown>) => generateTask({ family, params });

  it('generates the same data from the same seed and different data from another', () => {
    const first = generate({ ...small, seed: 1 });
    expect(generate({ ...small, seed: 1 })).toEqual(first);
    const other = generate({ ...small, seed: 2 });
    expect(inputTexts(other.train)).not.toEqual(inputTexts(first.train));
    expect(inputTexts(other.val)).not.toEqual(inputTexts(first.val));
  });

  it('keeps val disjoint from train, with every input distinct', () => {
    const data = generate({ ...small, seed: 5 });
    expect(data.train).toHaveLength(300);
    expect(data.val).toHaveLength(100);
    const trainTexts = new Set(inputTexts(data.train));
    expect(trainTexts.size).toBe(300);
    expect(new Set(inputTexts(data.val)).size).toBe(100);
    expect(inputTexts(data.val).some((text) => trainTexts.has(text))).toBe(false);
  });

  it('has fixed lengths, ids within the vocab and no padding inside examples', () => {
    const data: TaskData = generate(small);
    expect(data.family).toBe(family);
    expect(data.vocab[0]).toBe('<pad>');
    for (const example of allExamples(data)) {
      expect(example.input).toHaveLength(data.inputLength);
      expect(example.target).toHaveLength(data.targetLength);
      const ids = [...example.input, ...example.target];
      expect(ids.every((id) => Number.isInteger(id) && id > 0 && id < data.vocab.length)).toBe(true);
      expect(exampleTokens(example)).toBe(data.inputLength + data.targetLength);
    }
  });

  it('sizes the default budget from the task difficulty alone, with 30 evals', () => {
    const defaults = taskDefaults({ family, params: small });
    expect(defaults.evalEveryTokens).toBe(Math.round(defaults.budgetTokens / 30));
    const moreData = { train_examples: 20_000, val_examples: 99, seed: 3 };
    expect(taskDefaults({ family, params: moreData })).toEqual(defaults);
  });

  it('generates a default-sized task: 20000 distinct training examples and 1000 validation ones', () => {
    const data = generate({ train_examples: 20_000, val_examples: 1_000 });
    expect(new Set(data.train.map((e) => e.input.join(' '))).size).toBe(20_000);
    expect(data.val).toHaveLength(1_000);
  });
});

describe('generateTask', () => {
  it('fills in the spec defaults', () => {
    const data = generateTask({ family: 'reverse', params: { train_examples: 10 } });
    expect(data.train).toHaveLength(10);
    expect(data.val).toHaveLength(1_000);
    expect(data.inputLength).toBe(6);
    expect(data.vocab).toHaveLength(11);
  });

  it('names every bad parameter', () => {
    let caught: unknown;
    try {
      generateTask({ family: 'add', params: { digits: 0, train_examples: 10, depth: 3 } });
    } catch (error) {
      caught = error;
    }
    expect(isTaskParamsError(caught)).toBe(true);
    const lines = (caught as Error).message.split('\n').sort();
    expect(lines).toEqual([
      'task.params.depth: unknown key (expected one of: digits, train_examples, val_examples, seed)',
      'task.params.digits: expected an integer from 1 to 12, got 0',
    ]);
  });

  it('refuses an unknown family', () => {
    expect(() => taskFamily('multiply' as never)).toThrow(
      'task.family: expected one of add, reverse, sort, kv-qa, got "multiply"',
    );
  });
});

describe('describeTaskFamilies', () => {
  it('lists every family with its description, params and defaults', () => {
    const infos = describeTaskFamilies();
    expect(infos.map((info) => info.name)).toEqual(['add', 'reverse', 'sort', 'kv-qa']);
    const add = infos[0]!;
    expect(add.description).toMatch(/^Add two integers/);
    expect(add.params.map((param) => param.name)).toEqual([
      'digits',
      'train_examples',
      'val_examples',
      'seed',
    ]);
    // 1.25 × 405000 examples (15000 × 3³) × (7 + 4) tokens, 30 evals.
    expect(add.defaults).toEqual({ budgetTokens: 5_568_750, evalEveryTokens: 185_625 });
    for (const info of infos) {
      expect(info.defaults.budgetTokens).toBeGreaterThan(0);
      expect(Number.isInteger(info.defaults.evalEveryTokens)).toBe(true);
    }
  });
});
