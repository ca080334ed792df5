// The meta-learner: run and task features, fitting from history, and the prediction, which is the
// SQL function curfew_predict_stop (migrations/0002_meta.sql). The same code serves recorded
// curves loaded into an embedded store and the live cluster's Postgres.
export {
  type FeatureValue,
  flattenFeatures,
  RANK_SUFFIX,
  type RunFeatures,
  rankWithinGroups,
  specRunFeatures,
  withGroupRanks,
} from './features.js';
export {
  chooseRepresentatives,
  type FitOptions,
  type FitRun,
  type FittedRun,
  fitState,
  MetaFitError,
} from './fit.js';
export { spearman } from './fit-outcome.js';
export { curveFeatures, curvesFeatures, loadCurvesAsHistory, readEvals, readHistory } from './history.js';
export {
  answeringCheckpoint,
  type HistoryRun,
  type KernelPrediction,
  type KernelQuery,
  predictKernel,
  type RepresentativeRun,
} from './kernel.js';
export {
  type FitMetaModelOptions,
  type FittedMetaModel,
  type FittedState,
  fitMetaModel,
  predictStop,
  predictStopMany,
  type StopPrediction,
  type StopQuery,
} from './meta-model.js';
export {
  type CategoryFeature,
  type CheckpointKinds,
  type CheckpointState,
  checkpointAnswers,
  encodeFeatures,
  KIND_KEY,
  kindOf,
  type LotoSummary,
  META_MODEL_KIND,
  type MetaModelState,
  type NumericFeature,
} from './model-state.js';
export {
  encodeOutcome,
  type OutcomeState,
  outcomeDistance2,
  peakRanks,
  predictOutcome,
} from './outcome.js';
export { type OutcomePrediction, predictOutcomeMany } from './predict-outcome.js';
export {
  CHECKPOINTS,
  type CurveShape,
  checkpointOf,
  SHAPE_KEYS,
  type ShapeEval,
  shapeAt,
} from './shape.js';
