import {
  type AddParams,
  describeParams,
  formatPath,
  type KvQaParams,
  type ParamInfo,
  type ReverseParams,
  type SortParams,
  type TaskFamilyName,
  taskFamilies,
  taskFamilyNames,
} from '@curfew/spec';
import { addTask } from './add.js';
import { TaskParamsError } from './errors.js';
import { type FileTaskInput, loadFileTask, normalizeFileAnswer } from './file-task.js';
import { kvQaTask } from './kv-qa.js';
import { reverseTask } from './reverse.js';
import { sortTask } from './sort.js';
import type { TaskData, TaskDefaults, TaskFamily } from './task.js';

/** Parsed parameters of each family (spec defaults filled in). */
export interface TaskFamilyParams {
  add: AddParams;
  reverse: ReverseParams;
  sort: SortParams;
  'kv-qa': KvQaParams;
}

/** The built-in task families by name; the names and parameter schemas come from `@curfew/spec`. */
export const TASK_FAMILIES: { readonly [N in TaskFamilyName]: TaskFamily<TaskFamilyParams[N]> } = {
  add: addTask,
  reverse: reverseTask,
  sort: sortTask,
  'kv-qa': kvQaTask,
};

/** `task: { family, params }` of an experiment spec; params may be partial or absent. */
export interface TaskSpecInput<N extends TaskFamilyName = TaskFamilyName> {
  family: N;
  params?: unknown;
}

/** A family by name; an unknown name (unvalidated input) is a {@link TaskParamsError}. */
export function taskFamily<N extends TaskFamilyName>(name: N): TaskFamily<TaskFamilyParams[N]> {
  checkFamilyName(name);
  return TASK_FAMILIES[name];
}

function checkFamilyName(name: string): void {
  if (!Object.hasOwn(TASK_FAMILIES, name)) {
    throw new TaskParamsError(
      `task.family: expected one of ${taskFamilyNames.join(', ')}, got ${JSON.stringify(name)}`,
    );
  }
}

/**
 * Checks `params` against the family's spec schema and fills in its defaults. Throws a
 * {@link TaskParamsError} with one `task.params.NAME: …` line per problem.
 */
export function parseTaskParams<N extends TaskFamilyName>(family: N, params: unknown): TaskFamilyParams[N] {
  checkFamilyName(family);
  const schema = taskFamilies[family].params;
  const result = schema.safeParse(params ?? {}, { reportInput: true });
  if (result.success) return result.data as TaskFamilyParams[N];
  const expected = Object.keys(schema.shape).join(', ');
  const lines = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map(
          (key) => `${formatPath(['task', 'params', key])}: unknown key (expected one of: ${expected})`,
        )
      : [`${formatPath(['task', 'params', ...issue.path])}: ${issue.message}`],
  );
  throw new TaskParamsError(lines.join('\n'));
}

/** Validates the spec's params and generates the task's train and val sets (or reads its file). */
export function generateTask(
  spec: TaskSpecInput | ({ family: 'file' } & FileTaskInput) | { family: 'module'; module: string },
): TaskData {
  if (spec.family === 'file') return loadFileTask(spec);
  if (spec.family === 'module')
    throw new TaskParamsError(`task.module: ${spec.module} is loaded with loadModuleTask (it may be async)`);
  return taskFamily(spec.family).generate(parseTaskParams(spec.family, spec.params));
}

/** How EM normalises the answers of a task's data. */
export function normalizerOf(data: TaskData): Pick<TaskFamily, 'normalize'> {
  return data.family === 'file' || data.family === 'module'
    ? { normalize: normalizeFileAnswer }
    : taskFamily(data.family);
}

/** Default budget and eval cadence of a task spec (validated like {@link generateTask}). */
export function taskDefaults(spec: TaskSpecInput): TaskDefaults {
  return taskFamily(spec.family).defaults(parseTaskParams(spec.family, spec.params));
}

/** One line of `curfew tasks`. */
export interface TaskFamilyInfo {
  name: TaskFamilyName;
  description: string;
  params: ParamInfo[];
  /** Budget and eval cadence at the default params (measured, see task-defaults.ts). */
  defaults: TaskDefaults;
}

/** Every built-in family with its description, parameters and defaults, for `curfew tasks`. */
export function describeTaskFamilies(): TaskFamilyInfo[] {
  return taskFamilyNames.map((name) => ({
    name,
    description: taskFamilies[name].description,
    params: describeParams(taskFamilies[name].params),
    defaults: taskDefaults({ family: name }),
  }));
}
