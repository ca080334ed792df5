import { z } from 'zod';
import { expecting, intField, numberField, stringField } from './fields.js';
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

/**
 * Your own data for the built-in trainer: `task: { file: ./qa.jsonl }`, one JSON object per
 * line with string `input` and `target`. A relative path is taken from the spec file's folder
 * (made absolute at submit). The tokenizer is built from the data; EM compares answers after
 * SQuAD's normalisation (case, punctuation, articles, whitespace).
 */
export const FileTaskSpec = z.strictObject({
  family: z.literal('file'),
  file: stringField().describe('JSONL file of {input, target} pairs.'),
  params: z
    .strictObject({
      val_fraction: numberField({ gt: 0, lt: 1 })
        .default(0.2)
        .describe('Share of the lines held out for EM.'),
      seed: intField().default(0).describe('Seed of the train/validation split.'),
    })
    .prefault({}),
});
export type FileTaskSpec = z.infer<typeof FileTaskSpec>;

/**
 * A task from your own code: `task: { module: ./my-task.ts, params: {...} }`. The module exports
 * `examples(params)` returning `{ train, val }` lists of `{ input, target }` strings (or a
 * promise of them), and may export `normalize(answer)` (default: SQuAD's normalisation).
 */
export const ModuleTaskSpec = z.strictObject({
  family: z.literal('module'),
  module: stringField().describe('Path of a .ts/.js/.mjs module exporting examples(params).'),
  params: z
    .record(z.string(), z.union([z.number(), z.string(), z.boolean()]), {
      error: expecting('a mapping of parameter name to value'),
    })
    .prefault({}),
});
export type ModuleTaskSpec = z.infer<typeof ModuleTaskSpec>;

/** `task: { file: … }` and `task: { module: … }` are short for `family: file` / `family: module`. */
function withFileFamily(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || 'family' in input) return input;
  if ('file' in input) return { family: 'file', ...input };
  if ('module' in input) return { family: 'module', ...input };
  return input;
}

const TaskUnion = z.discriminatedUnion('family', [
  z.strictObject({ family: z.literal('add'), params: AddParams.prefault({}) }),
  z.strictObject({ family: z.literal('reverse'), params: ReverseParams.prefault({}) }),
  z.strictObject({ family: z.literal('sort'), params: SortParams.prefault({}) }),
  z.strictObject({ family: z.literal('kv-qa'), params: KvQaParams.prefault({}) }),
  CustomTaskSpec,
  FileTaskSpec,
  ModuleTaskSpec,
]);

/** `task: { family, params }`; params are checked against the family and take its defaults. */
export const TaskSpec = z.preprocess(withFileFamily, TaskUnion);
export type TaskSpec = z.infer<typeof TaskUnion>;
/** A task the built-in trainer generates (every family but `custom`, `file` and `module`). */
export type BuiltInTaskSpec = Exclude<TaskSpec, CustomTaskSpec | FileTaskSpec | ModuleTaskSpec>;

export function isBuiltInTask(task: TaskSpec): task is BuiltInTaskSpec {
  return task.family !== 'custom' && task.family !== 'file' && task.family !== 'module';
}
