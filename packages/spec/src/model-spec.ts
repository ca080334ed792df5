import { z } from 'zod';
import { expecting, stringField } from './fields.js';
import { GruModelParams, MlpModelParams, TransformerModelParams } from './model-families.js';
import { optimizerParams } from './optimizer-params.js';

/**
 * A model from your own code: `model: { module: ./my-model.mjs, params: {...} }`. The module
 * exports `createModel({ tf, params, shape, seed })` (README, "Your own models"); its params are
 * the optimizer parameters (defaulted) plus any of its own, which search spaces may also set.
 */
export const ModuleModelSpec = z.strictObject({
  family: z.literal('module'),
  module: stringField().describe(
    'Path of a .js/.mjs/.ts module exporting createModel({ tf, params, shape, seed }).',
  ),
  params: z
    .object(optimizerParams)
    .catchall(
      z.union([z.number(), z.string(), z.boolean()], {
        error: expecting('a number, string or boolean'),
      }),
    )
    .prefault({}),
});
export type ModuleModelSpec = z.infer<typeof ModuleModelSpec>;

/** `model: { module: … }` is short for `family: module`. */
function withModuleFamily(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || 'family' in input) return input;
  return 'module' in input ? { family: 'module', ...input } : input;
}

const ModelUnion = z.discriminatedUnion('family', [
  z.strictObject({ family: z.literal('mlp'), params: MlpModelParams.prefault({}) }),
  z.strictObject({ family: z.literal('gru'), params: GruModelParams.prefault({}) }),
  z.strictObject({ family: z.literal('transformer'), params: TransformerModelParams.prefault({}) }),
  ModuleModelSpec,
]);

/**
 * `model: { family, params }`; params are the family's architecture parameters plus the
 * optimizer parameters, every one defaulted. `model: { module }` is a model of your own.
 */
export const ModelSpec = z.preprocess(withModuleFamily, ModelUnion);
export type ModelSpec = z.infer<typeof ModelUnion>;
/** A model the trainer builds itself (every family but `module`). */
export type BuiltInModelSpec = Exclude<ModelSpec, ModuleModelSpec>;
