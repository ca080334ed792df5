import { GruParams, MlpParams, type ModelFamilyName } from '@curfew/spec';
import { createGru } from './gru';
import { createMlp } from './mlp';
import type { Model, ModelShape } from './model';

export class ModelFamilyError extends Error {
  override readonly name = 'ModelFamilyError';
}

/** Model families the trainer builds (the spec also names `transformer`, not built yet). */
export const TRAINABLE_MODEL_FAMILIES = ['mlp', 'gru'] as const satisfies readonly ModelFamilyName[];

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
    case 'transformer':
      throw new ModelFamilyError(
        'model.family: the trainer builds mlp and gru; transformer is specified but not trainable yet',
      );
  }
}

function pick(params: Readonly<Record<string, unknown>>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in params).map((k) => [k, params[k]]));
}
