import { z } from 'zod';
import { expecting } from './fields.js';
import { AddParams, KvQaParams, ReverseParams, SortParams } from './task-families.js';

/**
 * A task curfew does not generate: a command trainer's own (`trainer.command`). Its name (and
 * params) say which task it is in run history, so the meta-learner groups its runs.
 */
export const CustomTaskSpec = z.strictObject({
  family: z.literal('custom'),
  name: z
    .string({ error: expecting('a task name of lowercase letters, digits, dashes and dots') })
    .regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, {
      error: expecting('a task name of lowercase letters, digits, dashes and dots (at most 63)'),
    }),
  params: z
    .record(z.string(), z.union([z.number(), z.string(), z.boolean()]), {
      error: expecting('a mapping of parameter name to value'),
    })
    .prefault({}),
});
export type CustomTaskSpec = z.infer<typeof CustomTaskSpec>;

/** `task: { family, params }`; params are checked against the family and take its defaults. */
export const TaskSpec = z.discriminatedUnion('family', [
  z.strictObject({ family: z.literal('add'), params: AddParams.prefault({}) }),
  z.strictObject({ family: z.literal('reverse'), params: ReverseParams.prefault({}) }),
  z.strictObject({ family: z.literal('sort'), params: SortParams.prefault({}) }),
  z.strictObject({ family: z.literal('kv-qa'), params: KvQaParams.prefault({}) }),
  CustomTaskSpec,
]);
export type TaskSpec = z.infer<typeof TaskSpec>;
/** A task the built-in trainer generates (every family but `custom`). */
export type BuiltInTaskSpec = Exclude<TaskSpec, CustomTaskSpec>;

export function isBuiltInTask(task: TaskSpec): task is BuiltInTaskSpec {
  return task.family !== 'custom';
}
