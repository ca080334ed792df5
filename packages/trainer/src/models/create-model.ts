import { GruParams, MlpParams, type ModelFamilyName, TransformerParams } from '@curfew/spec';
import { createGru } from './gru';
import { createMlp } from './mlp';
import type { Model, ModelShape } from './model';
import { createTransformer } from './transformer';

export class ModelFamilyError extends Error {
  override readonly name = 'ModelFamilyError';
}

/** Model families the trainer builds: every family the spec names. */
export const TRAINABLE_MODEL_FAMILIES = [
  'mlp',
  'gru',
  'transformer',
] as const satisfies readonly ModelFamilyName[];

/** Builds a family's model from the run's params (architecture keys; optimizer keys are ignored). */
export function createModel(
  family: ModelFamilyName,
  params: Readonly<Record<string, unknown>>,
  shape: ModelShape,
  seed: number,
): Model {
  switch (family) {
    case 'mlp':
      return createMlp(MlpParams.parse(pick(params, MlpParams.keyof().options)), shape, seed);
    case 'gru':
      return createGru(GruParams.parse(pick(params, GruParams.keyof().options)), shape, seed);
    case 'transformer': {
      const parsed = TransformerParams.parse(pick(params, TransformerParams.keyof().options));
      if (parsed.d_model % parsed.heads !== 0) {
        throw new ModelFamilyError(
          `model.params.heads: ${parsed.heads} heads do not divide d_model ${parsed.d_model}; pick a divisor of d_model`,
        );
      }
      return createTransformer(parsed, shape, seed);
    }
  }
}

function pick(params: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in params).map((k) => [k, params[k]]));
}
