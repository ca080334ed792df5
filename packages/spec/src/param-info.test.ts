import { describe, expect, it } from 'vitest';
import { modelFamilies } from './model-families.js';
import { describeParams, paramDefaults } from './param-info.js';
import { taskFamilies } from './task-families.js';

describe('describeParams', () => {
  it('lists each parameter with its description and default, for `curfew tasks`', () => {
    expect(describeParams(taskFamilies.add.params)).toEqual([
      { name: 'digits', description: 'Digits of each operand.', defaultValue: 3 },
      { name: 'train_examples', description: 'Number of generated training examples.', defaultValue: 20000 },
      {
        name: 'val_examples',
        description: 'Number of held-out validation examples used for EM.',
        defaultValue: 1000,
      },
      { name: 'seed', description: 'Seed of the data generator.', defaultValue: 0 },
    ]);
  });

  it('gives the defaults of every family', () => {
    expect(paramDefaults(modelFamilies.transformer.params)).toEqual({
      d_model: 64,
      heads: 4,
      layers: 2,
      ff: 128,
      dropout: 0,
    });
    expect(paramDefaults(taskFamilies['kv-qa'].params)).toMatchObject({ pairs: 4, key_length: 2, vocab: 16 });
    for (const family of Object.values(taskFamilies)) {
      expect(describeParams(family.params).every((param) => param.description !== undefined)).toBe(true);
    }
  });
});
