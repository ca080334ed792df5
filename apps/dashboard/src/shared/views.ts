/** The JSON the dashboard's pages read (from /api and the live event streams). Types only. */
import type { CurveChart, SavingsPoint } from './chart-data';

export const UNFINISHED_STATUSES = ['queued', 'running'] as const;

export interface RunCounts {
  total: number;
  queued: number;
  running: number;
  /** Ended by its policy. */
  stopped: number;
  /** Trained to its full budget. */
  completed: number;
  failed: number;
  cancelled: number;
}

/** One row of the experiments page. */
export interface ExperimentRow {
  id: string;
  name: string;
  status: string;
  taskFamily: string;
  policy: string;
  tolerance: number | null;
  createdAt: string;
  finishedAt: string | null;
  runs: RunCounts;
  /** Every run's tokens: what ended runs used, what unfinished ones have used so far. */
  tokensUsed: number;
  /** Sum of the runs' budgets; null when a run has none. */
  budgetTokens: number | null;
  /** 1 − used / budget over the runs that have ended; null before any has. */
  tokensSaved: number | null;
  /** Best deployed EM so far (an unfinished run counts its best eval). */
  bestEm: number | null;
  bestRunId: string | null;
}

export interface ExperimentsView {
  experiments: ExperimentRow[];
}

/** The meta-learner's prediction for a run, written before it was enqueued. */
export interface PredictionView {
  peakTokens: number | null;
  lowTokens: number | null;
  highTokens: number | null;
  finalEm: number | null;
  metaModelVersion: number | null;
}

/** One row of an experiment's runs table. */
export interface RunRow {
  id: string;
  trial: number;
  status: string;
  unfinished: boolean;
  stopReason: string | null;
  error: string | null;
  config: Record<string, unknown>;
  backend: string | null;
  attempts: number;
  /** What it used; for an unfinished run, its tokens so far. */
  tokensUsed: number;
  budgetTokens: number | null;
  /** 1 − used / budget, once it has ended. */
  tokensSaved: number | null;
  bestStep: number | null;
  bestTokens: number | null;
  /** EM of the checkpoint it ships; for an unfinished run, its best eval so far. */
  deployedEm: number | null;
  evals: number;
  prediction: PredictionView | null;
}

export interface ExperimentView {
  experiment: ExperimentRow & { monitor: string; mode: 'max' | 'min' };
  runs: RunRow[];
  /** The monitored metric of every run on one chart. */
  metric: CurveChart;
  /** Validation loss of every run (training loss when the monitor is the validation loss). */
  loss: CurveChart;
  savings: SavingsPoint[];
}

/**
 * What changed in an experiment since the last event: the runs whose row or curves changed, and
 * the experiment's row. The page replaces those runs and keeps the others.
 */
export interface ExperimentDelta {
  experiment: ExperimentView['experiment'];
  runs: RunRow[];
  metric: CurveChart;
  loss: CurveChart;
  savings: SavingsPoint[];
  /** Ids of the runs whose curves are in `metric` and `loss` (the others are unchanged). */
  changed: string[];
}

/** One policy decision about a run. */
export interface DecisionView {
  step: number | null;
  tokens: number | null;
  kind: 'continue' | 'stop' | 'adjust';
  reason: string;
  detail: string | null;
}

/** One attempt at training a run (a worker taking it, until it ended or handed it back). */
export interface AttemptView {
  attempt: number;
  worker: string | null;
  backend: string | null;
  resumedFromStep: number | null;
  startedAt: string | null;
  endedAt: string | null;
  outcome: string;
  error: string | null;
}

export interface CheckpointView {
  step: number;
  tokens: number;
  path: string;
  isBest: boolean;
  bytes: number | null;
  createdAt: string;
}

export interface LogLine {
  at: string | null;
  level: 'info' | 'error';
  text: string;
}

export interface RunView {
  run: RunRow & { experimentId: string; startedAt: string | null; finishedAt: string | null };
  experiment: { id: string; policy: string; monitor: string; mode: 'max' | 'min' };
  metric: CurveChart;
  loss: CurveChart;
  lr: CurveChart;
  decisions: DecisionView[];
  /** False while decisions are derived from the run's evals and summary, not read from a log. */
  decisionsRecorded: boolean;
  attempts: AttemptView[];
  checkpoints: CheckpointView[];
  logs: LogLine[];
}
