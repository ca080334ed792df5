// The decision service: every eval of every run passes through it (DESIGN.md, "Flow of one run").
// Its interface is plain request and response objects (zod schemas), so workers call it in
// process today and trainers outside the cluster can call it over HTTP later.

export { AttemptProtocolError, RunNotRunningError, StaleAttemptError } from '@curfew/store';
export { DecisionService, type DecisionServiceOptions } from './decision-service.js';
export { divergedMetric, evalRowOf, measuredMetrics, metricsOfRow } from './eval-metrics.js';
export { ExperimentState } from './experiment-state.js';
export { bearerMatches } from './http/bearer-token.js';
export { experimentStatus, finishExternalRun, type TakenRun, takeRun } from './http/external-runs.js';
export { createReportApi, type ReportApiOptions } from './http/report-api.js';
export { type DecisionLogReplay, type ReplayMismatch, replayDecisionLog } from './replay-decision-log.js';
export * from './requests/index.js';
export {
  type DecideInput,
  type DecideStep,
  decideStep,
  type ExperimentPolicy,
  experimentPolicyOf,
  type RunPolicyContext,
  runPolicyContext,
  StoredSpecError,
} from './run-decider.js';
export {
  fitStopModels,
  historyCurveOf,
  loadStopModels,
  refitStopModels,
  STOP_MODELS_KIND,
  StopModelsError,
  type StoredStopModels,
  stopModelFor,
} from './stop-models.js';
export { isTransientError, type RetryOptions, retryTransient } from './transient-errors.js';
