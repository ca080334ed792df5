import type { TaskFamilyName } from '@curfew/spec';

/** Token id 0 pads every sequence to its task's fixed length; it is never a real symbol. */
export const PAD = 0;

/** One generated example: token ids without padding. */
export interface Example {
  input: readonly number[];
  target: readonly number[];
}

/** A task's data, generated deterministically from its parameters (seed included). */
export interface TaskData {
  /** A built-in family, or `file` / `module` (your own data: `task: { file }`, `task: { module }`). */
  family: TaskFamilyName | 'file' | 'module';
  /** A module task's own answer normalisation (else SQuAD's), on the decoded text. */
  normalizeText?: (answer: string) => string;
  /** Symbol of each token id; `vocab[0]` is the padding symbol. */
  vocab: readonly string[];
  /** Longest input in tokens: inputs are padded to it. */
  inputLength: number;
  /** Longest target in tokens: model outputs have this many positions. */
  targetLength: number;
  train: readonly Example[];
  /** Held out: disjoint from `train` (no input appears in both). */
  val: readonly Example[];
}

/** Budget and eval cadence in which the family's default model reaches its plateau. */
export interface TaskDefaults {
  budgetTokens: number;
  evalEveryTokens: number;
}

/** A built-in task family: seeded generator, EM normalisation and defaults. */
export interface TaskFamily<P = Record<string, unknown>> {
  name: TaskFamilyName;
  /** Generates train and val sets from already-validated params (spec defaults filled in). */
  generate(params: P): TaskData;
  /**
   * The family's normalisation of an answer (ids without padding → canonical text); two answers
   * are an exact match when their normal forms are equal.
   */
  normalize(ids: readonly number[], data: TaskData): string;
  /** Default budget and eval cadence for these params (the spec's `budget`/`eval` when absent). */
  defaults(params: P): TaskDefaults;
}

/** Training tokens of one example as DESIGN.md counts them: input plus target tokens. */
export function exampleTokens(example: Example): number {
  return example.input.length + example.target.length;
}
