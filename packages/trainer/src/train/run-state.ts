import type { EvalPoint, PolicyState } from '@curfew/policies';
import type { DataCursor } from './batches';
import type { TrainEval } from './types';

/** The best eval so far: the checkpoint the run would ship (restore best). */
export interface BestEval {
  index: number;
  step: number;
  tokens: number;
  /** Monitored value. */
  value: number;
  em: number;
  /** Whether its EM came from the full validation set. */
  full: boolean;
}

/** Everything of a run in progress that is not a tensor; saved as JSON in each checkpoint. */
export interface RunState {
  step: number;
  tokens: number;
  valTokens: number;
  cursor: DataCursor;
  /** Batch losses since the last eval (their mean is the eval's train loss). */
  trainLoss: { sum: number; count: number };
  /** Tokens at which the next eval is due. */
  nextEvalTokens: number;
  evals: TrainEval[];
  points: EvalPoint[];
  best: BestEval | null;
  weightDecay: number;
  dropout: number;
  policy: PolicyState;
  schedule: PolicyState;
  regularizer: PolicyState | null;
  /** Set once the run has ended, so a re-delivered job returns the summary instead of training on. */
  ended: { reason: string } | null;
}

export function freshState(evalEveryTokens: number, weightDecay: number, dropout: number): RunState {
  return {
    step: 0,
    tokens: 0,
    valTokens: 0,
    cursor: { epoch: 0, index: 0 },
    trainLoss: { sum: 0, count: 0 },
    nextEvalTokens: evalEveryTokens,
    evals: [],
    points: [],
    best: null,
    weightDecay,
    dropout,
    policy: {},
    schedule: {},
    regularizer: null,
    ended: null,
  };
}
