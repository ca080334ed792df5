import { z } from 'zod';
import { GruModelParams, MlpModelParams, TransformerModelParams } from './model-families.js';

/**
 * `model: { family, params }`; params are the family's architecture parameters plus the
 * optimizer parameters, every one defaulted.
 */
export const ModelSpec = z.discriminatedUnion('family', [
  z.strictObject({ family: z.literal('mlp'), params: MlpModelParams.prefault({}) }),
  z.strictObject({ family: z.literal('gru'), params: GruModelParams.prefault({}) }),
  z.strictObject({ family: z.literal('transformer'), params: TransformerModelParams.prefault({}) }),
]);
export type ModelSpec = z.infer<typeof ModelSpec>;
