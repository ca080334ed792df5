import type { LrScheduleOptions, PolicyOptions, RegularizationOptions, StopReason } from '@curfew/policies';
import type { ModelFamilyName, ParamValue, TaskFamilyName } from '@curfew/spec';
import type { BackendName } from '../backend/select-backend';
import type { Decider } from './decider';

/** Everything one run trains with: resolved from an experiment spec and a trial's config. */
export interface TrainRun {
  runId: string;
  /** A built-in family and its params, or `file` with the path of your data. */
  task:
    | { family: TaskFamilyName; params: Readonly<Record<string, unknown>> }
    | { family: 'file'; file: string; params: Readonly<Record<string, unknown>> }
    | { family: 'module'; module: string; params: Readonly<Record<string, unknown>> };
  /** Architecture and optimizer parameters (lr, batch_size, optimizer, weight_decay, seed). */
  model:
    | { family: ModelFamilyName; params: Readonly<Record<string, ParamValue>> }
    | { family: 'module'; module: string; params: Readonly<Record<string, ParamValue>> };
  budgetTokens: number;
  evalEveryTokens: number;
  /** Cap on validation examples per eval. */
  evalMaxExamples?: number;
  policy: PolicyOptions;
  lrSchedule?: LrScheduleOptions;
  regularization?: RegularizationOptions;
  /** Task and config features for learned policies. */
  features?: Readonly<Record<string, unknown>>;
  /** Score a growing validation sample (full set when a decision depends on it). @defaultValue true */
  incrementalValidation?: boolean;
}

/** One eval as the trainer reports it. */
export interface TrainEval {
  step: number;
  /** Training tokens so far. */
  tokens: number;
  /** Validation tokens so far (every eval's scored examples, input + target). */
  valTokens: number;
  trainLoss: number | null;
  valLoss: number;
  em: number;
  perplexity: number;
  /** Learning rate used up to this eval. */
  lr: number;
  weightDecay: number;
  dropout: number;
  /** Validation examples scored at this eval. */
  valExamples: number;
  /** True when the whole validation set was scored. */
  full: boolean;
  /** What the policy answered: `continue`, `stop:<reason>` or `adjust:<reason>`. */
  decision: string;
}

export type EndReason = StopReason;

export interface TrainSummary {
  runId: string;
  /** `interrupted`: aborted by the signal (shutdown or cancel) after checkpointing. */
  status: 'stopped' | 'completed' | 'interrupted';
  stopReason: EndReason | null;
  tokensUsed: number;
  valTokens: number;
  steps: number;
  evals: number;
  bestStep: number | null;
  bestTokens: number | null;
  /** EM of the best checkpoint on the full validation set. */
  deployedEm: number | null;
  backend: BackendName;
  paramCount: number;
  /** Forward + backward FLOPs of training so far (≈ 3 × forward). */
  trainFlops: number;
}

export interface CheckpointInfo {
  kind: 'latest' | 'best';
  step: number;
  tokens: number;
  path: string;
  bytes: number;
}

/** What the trainer knows once the run is set up, before its first step. */
export interface StartInfo {
  backend: BackendName;
  paramCount: number;
  /** The step the run resumed from, or null when it starts afresh. */
  resumedFromStep: number | null;
  /** Validation examples scored by a full eval. */
  validationExamples: number;
}

export interface TrainOptions {
  /** Called once the run is set up (and resumed, if it was), before training. */
  onStart?: (info: StartInfo) => Promise<void> | void;
  /** Force a backend (else the best that loads). */
  backend?: BackendName;
  /** Folder of this run's checkpoints; none: no checkpoints, no resume. */
  checkpointDir?: string;
  /** Resume from the latest checkpoint in `checkpointDir` when there is one. @defaultValue true */
  resume?: boolean;
  /**
   * Who answers continue, stop or adjust after each eval.
   * @defaultValue the run's policy, decided locally (`createLocalDecider(run)`)
   */
  decider?: Decider;
  /** Called after each eval has been decided (and, in the cluster, recorded). */
  onEval?: (evalPoint: TrainEval) => Promise<void> | void;
  onCheckpoint?: (info: CheckpointInfo) => Promise<void> | void;
  /** Aborting checkpoints the run where it is and returns `interrupted`. */
  signal?: AbortSignal;
}
