import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TaskParamsError } from './errors.js';
import { type Pair, textTaskData } from './file-task.js';
import { wordTokens } from './squad-normalize.js';
import type { TaskData } from './task.js';

/** `task: { module, params }` as parsed. */
export interface ModuleTaskInput {
  module: string;
  params?: Readonly<Record<string, unknown>>;
}

/**
 * What a task module exports (README, "Your own data"):
 * - `examples(params)`: `{ train, val }`, lists of `{ input, target }` strings (or a promise);
 * - `normalize(answer)` (optional): the answer text's normal form for EM (default: SQuAD's).
 */
export interface TaskModule {
  examples(
    params: Readonly<Record<string, unknown>>,
  ): { train: Pair[]; val: Pair[] } | Promise<{ train: Pair[]; val: Pair[] }>;
  normalize?(answer: string): string;
}

const EXPECTED =
  'export function examples(params) returning { train, val }, lists of { input, target } strings';

function checkPairs(where: string, list: unknown): Pair[] {
  if (!Array.isArray(list) || list.length === 0)
    throw new TaskParamsError(`${where}: expected a non-empty list of { input, target }`);
  return list.map((item, i) => {
    const pair = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    for (const key of ['input', 'target'] as const)
      if (typeof pair[key] !== 'string' || wordTokens(pair[key] as string).length === 0)
        throw new TaskParamsError(
          `${where}[${i}].${key}: expected a non-empty string, got ${JSON.stringify(pair[key]) ?? 'nothing'}`,
        );
    return { input: pair.input as string, target: pair.target as string };
  });
}

/** Imports a task module and builds its data; every error names the module and what is wrong. */
export async function loadModuleTask(spec: ModuleTaskInput): Promise<TaskData> {
  const file = path.resolve(spec.module);
  let mod: Partial<TaskModule>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Partial<TaskModule>;
  } catch (error) {
    throw new TaskParamsError(
      `task.module: cannot import ${file} (${(error as Error).message.split('\n')[0]})`,
    );
  }
  if (typeof mod.examples !== 'function')
    throw new TaskParamsError(`task.module: ${file} has no export examples (expected ${EXPECTED})`);
  if (mod.normalize !== undefined && typeof mod.normalize !== 'function')
    throw new TaskParamsError(
      `task.module: ${file}: its export normalize is not a function (expected normalize(answer) → string)`,
    );
  let made: unknown;
  try {
    made = await mod.examples(spec.params ?? {});
  } catch (error) {
    throw new TaskParamsError(`task.module: ${file}: examples(params) threw: ${(error as Error).message}`);
  }
  const sets = (typeof made === 'object' && made !== null ? made : {}) as Record<string, unknown>;
  const train = checkPairs(`task.module: ${file}: examples(params).train`, sets.train);
  const val = checkPairs(`task.module: ${file}: examples(params).val`, sets.val);
  const normalize = mod.normalize?.bind(mod);
  return textTaskData('module', train, val, normalize);
}
