import { z } from 'zod';
import { intField, numberField } from './fields.js';
import { optimizerParams } from './optimizer-params.js';

const dropout = numberField({ min: 0, max: 0.9 }).default(0).describe('Dropout rate.');

export const MlpParams = z.strictObject({
  hidden: intField({ min: 1, max: 4096 }).default(128).describe('Units per hidden layer.'),
  layers: intField({ min: 1, max: 6 }).default(2).describe('Hidden layers.'),
  dropout,
});
export type MlpParams = z.infer<typeof MlpParams>;

export const GruParams = z.strictObject({
  units: intField({ min: 1, max: 2048 }).default(64).describe('GRU units per layer.'),
  embedding: intField({ min: 1, max: 1024 }).default(32).describe('Embedding width.'),
  layers: intField({ min: 1, max: 4 }).default(1).describe('Stacked GRU layers.'),
  dropout,
});
export type GruParams = z.infer<typeof GruParams>;

export const TransformerParams = z.strictObject({
  d_model: intField({ min: 8, max: 1024 }).default(64).describe('Model width.'),
  heads: intField({ min: 1, max: 16 }).default(4).describe('Attention heads (must divide d_model).'),
  layers: intField({ min: 1, max: 12 }).default(2).describe('Transformer blocks.'),
  ff: intField({ min: 1, max: 8192 }).default(128).describe('Feed-forward width.'),
  dropout,
});
export type TransformerParams = z.infer<typeof TransformerParams>;

/**
 * The built-in model families: name → description and strict schema of the architecture
 * parameters. The optimizer parameters ({@link optimizerParams}) are accepted by every family.
 */
export const modelFamilies = {
  mlp: { description: 'Multi-layer perceptron over the flattened one-hot input.', params: MlpParams },
  gru: { description: 'Embedding + GRU encoder-decoder.', params: GruParams },
  transformer: {
    description: 'Small transformer: self-attention over the input and one query slot per answer position.',
    params: TransformerParams,
  },
} as const;

export type ModelFamilyName = keyof typeof modelFamilies;
export const modelFamilyNames = Object.keys(modelFamilies) as [ModelFamilyName, ...ModelFamilyName[]];

export const MlpModelParams = MlpParams.extend(optimizerParams);
export type MlpModelParams = z.infer<typeof MlpModelParams>;
export const GruModelParams = GruParams.extend(optimizerParams);
export type GruModelParams = z.infer<typeof GruModelParams>;
export const TransformerModelParams = TransformerParams.extend(optimizerParams);
export type TransformerModelParams = z.infer<typeof TransformerModelParams>;

const modelParamsSchemas = {
  mlp: MlpModelParams,
  gru: GruModelParams,
  transformer: TransformerModelParams,
} as const;

/** The schema of `model.params` for a family: its own parameters plus the optimizer parameters. */
export function modelParamsSchema<F extends ModelFamilyName>(family: F): (typeof modelParamsSchemas)[F] {
  return modelParamsSchemas[family];
}

/** Names a search space may use for a family, in declaration order. */
export function searchableParams(family: ModelFamilyName): string[] {
  return Object.keys(modelParamsSchema(family).shape);
}

/** Parameter values a run can take. */
export type ParamValue = number | string | boolean;

/** Every parameter of a model family at its default (family, then optimizer). */
export function modelParamDefaults(family: ModelFamilyName): Record<string, ParamValue> {
  return modelParamsSchema(family).parse({}) as Record<string, ParamValue>;
}
