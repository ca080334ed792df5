// Stopping policies, LR schedules, adaptive regularisation, learning from history, and replay.
// Pure: no I/O, no clock, no randomness without a seed (DESIGN.md, STYLE.md).

export { createPolicy, POLICY_NAMES, type PolicyContext, usesHistory } from './create-policy';
export { PolicyOptionsError } from './errors';
export {
  type AutoRules,
  aloneRule,
  autoRules,
  DEFAULT_KIND_MATCHING,
  type KindMatching,
  matchHistory,
  newFamilyOfKnownKind,
  type PlateauRule,
  plainHalvingHolds,
  type WithoutHistoryOfKind,
} from './learn/auto-rules';
export { type CurveKind, curveKind, metricKind } from './learn/curve-kind';
export { fitGbm, type GbmModel, type GbmOptions, predictGbm } from './learn/gbm';
export {
  FALLBACK_SHARE,
  HALVING_CONDITIONS,
  HALVING_RUNGS,
  HALVING_SCHEDULES,
  HALVING_SHARES,
  halvingTable,
  MAX_GROUP_RUNS,
  MIN_KEEP,
} from './learn/halving-table';
export { MIN_OTHER_KIND_TASKS, modelForHistoryTask } from './learn/own-history';
export {
  PLATEAU_WINDOWS,
  type PlateauTables,
  plateauRiskTable,
  plateauStops,
  plateauTables,
  TOLERANCE_GRID,
} from './learn/plateau-table';
export { MIN_WINDOW_EVALS, RemainingGainBound } from './learn/remaining-gain';
export {
  BOUND_NOISES,
  BOUND_THRESHOLDS,
  BOUND_WINDOWS,
  DEFAULT_REMAINING_GAIN,
  type RemainingGainRule,
  type RemainingGainTables,
  remainingGainRule,
  remainingGainStops,
  remainingGainTables,
} from './learn/remaining-gain-table';
export {
  chooseRule,
  DEFAULT_RISK_RULE,
  normalQuantile,
  type RiskChoice,
  type RiskRule,
  type RiskTable,
  type RiskUnit,
} from './learn/risk-control';
export { runFeaturesOf, STATE_FEATURES, stateFeatures } from './learn/state-features';
export {
  CALIBRATION_THRESHOLDS,
  type CalibrationPoint,
  checkStopModel,
  DEFAULT_STOP_MODEL_OPTIONS,
  fitStopModel,
  hasAutoTables,
  STOP_MODEL_FORMAT,
  type StopModel,
  type StopModelOptions,
  StopModelTrainer,
  thresholdFor,
} from './learn/stop-model';
export { taskUnit } from './learn/task-unit';
export type * from './options';
export { anyOf } from './policies/any-of';
export { type AshaExtras, AshaPolicy, createAshaPolicy } from './policies/asha';
export { type AutoSettings, createAutoPolicy, DEFAULT_AUTO_SETTINGS } from './policies/auto';
export { createExtrapolatePolicy } from './policies/extrapolate';
export { CHANCE_SHARE } from './policies/left-chance';
export type { LrDropBeforeStopOptions } from './policies/lr-drop-before-stop';
export { LR_DROP_REASON, withLrDropBeforeStop } from './policies/lr-drop-before-stop';
export { createMedianPolicy, MedianPolicy } from './policies/median';
export {
  createMetaPolicy,
  DEFAULT_META_SETTINGS,
  type MetaPolicySettings,
} from './policies/meta';
export { createNonePolicy, NonePolicy } from './policies/none';
export { createPatiencePolicy, PatiencePolicy } from './policies/patience';
export { createPlateauPolicy, PlateauPolicy, type PlateauSettings } from './policies/plateau';
export {
  createRemainingGainPolicy,
  RemainingGainPolicy,
  type RemainingGainSettings,
} from './policies/remaining-gain';
export {
  createRobustHalvingPolicy,
  leftChance,
  RobustHalvingPolicy,
  type RobustHalvingSettings,
} from './policies/robust-halving';
export { createThresholdPolicy, ThresholdPolicy } from './policies/threshold';
export { mulberry32 } from './prng';
export {
  createRegularizer,
  type RegularizationOptions,
  type RegularizationValues,
  type Regularizer,
} from './regularization/create-regularizer';
export type { Curve } from './replay/curve';
export { CurveFileError, parseCurveFile, parseCurveLine } from './replay/curve-format';
export {
  type PolicyFactory,
  type ReplayOptions,
  type ReplayScope,
  type RunOutcome,
  replay,
} from './replay/replay';
export {
  historyModels,
  type ReplayPolicyInput,
  type ReplayPolicyResult,
  replayPolicy,
} from './replay/replay-policy';
export { shuffledRuns } from './replay/run-order';
export { type GroupScore, type Score, type StopIndex, scoreStops, type TaskScore } from './replay/score';
export {
  createLrSchedule,
  type LrSchedule,
  type LrScheduleContext,
  type LrScheduleName,
  type LrScheduleOptions,
} from './schedules/create-lr-schedule';
export * from './types';
