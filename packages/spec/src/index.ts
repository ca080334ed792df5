export { BudgetSpec } from './budget-spec.js';
export { EvalSpec } from './eval-spec.js';
export { expandSearch, type RunConfig, sampleDomain } from './expand-search.js';
export { type ExperimentRecord, experimentRecord } from './experiment-record.js';
export {
  ExperimentName,
  ExperimentSpec,
  type ExperimentSpecInput,
  maxNameLength,
} from './experiment-spec.js';
export { loadSpecFile } from './load-spec-file.js';
export {
  ConstantSchedule,
  CosineSchedule,
  ExponentialSchedule,
  type LrScheduleName,
  LrScheduleSpec,
  lrScheduleNames,
  ReduceOnPlateauSchedule,
  StepSchedule,
} from './lr-schedule-spec.js';
export {
  GruModelParams,
  GruParams,
  MlpModelParams,
  MlpParams,
  type ModelFamilyName,
  modelFamilies,
  modelFamilyNames,
  modelParamDefaults,
  modelParamsSchema,
  type ParamValue,
  searchableParams,
  TransformerModelParams,
  TransformerParams,
} from './model-families.js';
export { type BuiltInModelSpec, ModelSpec, ModuleModelSpec } from './model-spec.js';
export { type OptimizerName, OptimizerParams, optimizerNames, optimizerParams } from './optimizer-params.js';
export { describeParams, type ParamInfo, paramDefaults } from './param-info.js';
export { type ParseSpecOptions, parseSpec, type SpecFormat, specFormatOf } from './parse-spec.js';
export {
  AshaPolicy,
  AutoPolicy,
  defaultModeFor,
  defaultPolicy,
  ExtrapolatePolicy,
  MedianPolicy,
  MetaPolicy,
  type MonitorMode,
  monitorModes,
  NonePolicy,
  PatiencePolicy,
  type PolicyName,
  PolicySpec,
  policyNames,
  ThresholdPolicy,
} from './policy-spec.js';
export { createRng, hashSeed, type Rng } from './prng.js';
export { RegularizationSpec } from './regularization-spec.js';
export { ResourcesSpec } from './resources-spec.js';
export { runFeatures } from './run-features.js';
export {
  ChoiceDomain,
  type DomainKind,
  domainKind,
  domainKinds,
  GridDomain,
  GridSearchDomain,
  gridDomainKinds,
  gridDomainSize,
  gridDomainValues,
  IntDomain,
  LogUniformDomain,
  SearchDomain,
  UniformDomain,
} from './search-domain.js';
export {
  GridSearchSpec,
  gridSize,
  maxTrials,
  RandomSearchSpec,
  type SearchMethod,
  SearchSpec,
  searchMethods,
} from './search-spec.js';
export { assertValidSpec, isSpecError, SpecError } from './spec-error.js';
export { formatPath, formatProblem, type Locate, type SpecProblem } from './spec-problem.js';
export {
  AddParams,
  KvQaParams,
  ReverseParams,
  SortParams,
  type TaskFamilyName,
  taskFamilies,
  taskFamilyNames,
} from './task-families.js';
export { taskKey, taskName } from './task-key.js';
export {
  type BuiltInTaskSpec,
  CustomTaskSpec,
  FileTaskSpec,
  isBuiltInTask,
  ModuleTaskSpec,
  TaskSpec,
} from './task-spec.js';
export { TRAINER_METRICS, type TrainerMetric } from './trainer-metrics.js';
export {
  COMMAND_PLACEHOLDERS,
  CommandTrainerSpec,
  commandPlaceholders,
  PLACEHOLDER,
} from './trainer-spec.js';
export { type PolicyResult, type SpecResult, validatePolicy, validateSpec } from './validate-spec.js';
