import { z } from 'zod';
import { AddParams, KvQaParams, ReverseParams, SortParams } from './task-families.js';

/** `task: { family, params }`; params are checked against the family and take its defaults. */
export const TaskSpec = z.discriminatedUnion('family', [
  z.strictObject({ family: z.literal('add'), params: AddParams.prefault({}) }),
  z.strictObject({ family: z.literal('reverse'), params: ReverseParams.prefault({}) }),
  z.strictObject({ family: z.literal('sort'), params: SortParams.prefault({}) }),
  z.strictObject({ family: z.literal('kv-qa'), params: KvQaParams.prefault({}) }),
]);
export type TaskSpec = z.infer<typeof TaskSpec>;
