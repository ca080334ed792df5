import { z } from 'zod';
import { intField } from './fields.js';

/** Parameters every task family shares: dataset sizes and the data seed. */
const datasetParams = {
  train_examples: intField({ min: 1, max: 10_000_000 })
    .default(20_000)
    .describe('Number of generated training examples.'),
  val_examples: intField({ min: 1, max: 1_000_000 })
    .default(1_000)
    .describe('Number of held-out validation examples used for EM.'),
  seed: intField().default(0).describe('Seed of the data generator.'),
};

const vocab = (defaultValue: number) =>
  intField({ min: 2, max: 64 }).default(defaultValue).describe('Number of distinct symbols.');

const length = intField({ min: 2, max: 32 }).default(6).describe('Length of the input sequence.');

export const AddParams = z.strictObject({
  digits: intField({ min: 1, max: 12 }).default(3).describe('Digits of each operand.'),
  ...datasetParams,
});
export type AddParams = z.infer<typeof AddParams>;

export const ReverseParams = z.strictObject({ length, vocab: vocab(10), ...datasetParams });
export type ReverseParams = z.infer<typeof ReverseParams>;

export const SortParams = z.strictObject({ length, vocab: vocab(10), ...datasetParams });
export type SortParams = z.infer<typeof SortParams>;

export const KvQaParams = z.strictObject({
  pairs: intField({ min: 1, max: 32 }).default(4).describe('Key-value pairs in each context.'),
  key_length: intField({ min: 1, max: 8 }).default(2).describe('Symbols per key.'),
  value_length: intField({ min: 1, max: 8 }).default(2).describe('Symbols per value.'),
  vocab: vocab(16),
  ...datasetParams,
});
export type KvQaParams = z.infer<typeof KvQaParams>;

/** The built-in task families: name → description and strict parameter schema (with defaults). */
export const taskFamilies = {
  add: {
    description: 'Add two integers written digit by digit; the answer is the digits of the sum.',
    params: AddParams,
  },
  reverse: {
    description: 'Reverse a sequence of symbols.',
    params: ReverseParams,
  },
  sort: {
    description: 'Sort a sequence of symbols.',
    params: SortParams,
  },
  'kv-qa': {
    description: 'Read key-value pairs, then answer the value of a queried key.',
    params: KvQaParams,
  },
} as const;

export type TaskFamilyName = keyof typeof taskFamilies;
export const taskFamilyNames = Object.keys(taskFamilies) as [TaskFamilyName, ...TaskFamilyName[]];
