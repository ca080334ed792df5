export { addShape, addTask } from './add.js';
export { emOf, exactMatch, type Normalizer } from './em.js';
export { isTaskParamsError, TaskParamsError } from './errors.js';
export { type FileTaskInput, loadFileTask, normalizeFileAnswer, readPairs } from './file-task.js';
export { kvQaShape, kvQaTask } from './kv-qa.js';
export { loadModuleTask, type ModuleTaskInput, type TaskModule } from './module-task.js';
export { padIds, stripPadding } from './padding.js';
export {
  describeTaskFamilies,
  generateTask,
  normalizerOf,
  parseTaskParams,
  TASK_FAMILIES,
  type TaskFamilyInfo,
  type TaskFamilyParams,
  type TaskSpecInput,
  taskDefaults,
  taskFamily,
} from './registry.js';
export { reverseShape, reverseTask } from './reverse.js';
export { sortShape, sortTask } from './sort.js';
export { joinTokens, squadNormalize, wordTokens } from './squad-normalize.js';
export { contentSymbols, decodeIds, PAD_SYMBOL } from './symbols.js';
export {
  type Example,
  exampleTokens,
  PAD,
  type TaskData,
  type TaskDefaults,
  type TaskFamily,
} from './task.js';
