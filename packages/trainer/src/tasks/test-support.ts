import { decodeIds } from './symbols.js';
import type { Example, TaskData } from './task.js';

/** Symbols of an example's input and target. */
export function decodeExample(example: Example, data: TaskData): { input: string[]; target: string[] } {
  return { input: decodeIds(example.input, data.vocab), target: decodeIds(example.target, data.vocab) };
}

/** Every example of a task, train then val. */
export function allExamples(data: TaskData): Example[] {
  return [...data.train, ...data.val];
}

/** Inputs as comparable strings. */
export function inputTexts(examples: readonly Example[]): string[] {
  return examples.map((example) => example.input.join(','));
}
