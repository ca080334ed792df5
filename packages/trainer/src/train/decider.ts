import type { Decision, PolicyState } from '@curfew/policies';

/** One eval as the trainer reports it to its decider. */
export interface EvalReport {
  step: number;
  /** Training tokens so far. */
  tokens: number;
  /** Validation tokens so far. */
  valTokens: number;
  /** What a policy may monitor: em, loss (validation), perplexity, train_loss (null before any batch). */
  metrics: Record<string, number | null>;
  lr: number;
  valExamples: number;
  /** Whether the whole validation set was scored. */
  full: boolean;
  weightDecay: number;
  dropout: number;
}

/**
 * Who decides, after each eval, whether a run goes on: the trainer's one decision path. In the
 * cluster it is the decision service (which records every eval and decision); for `curfew train`
 * and tests a local decider. A decider that throws stops training at once, with no checkpoint of
 * the eval it refused (a stale attempt's trainer must not go on).
 */
export interface Decider {
  /** Records the eval and answers continue, stop or adjust. */
  decide(report: EvalReport): Promise<Decision> | Decision;
  /** What `decide` would answer for this eval, recording nothing (incremental validation asks). */
  peek(report: EvalReport): Promise<Decision> | Decision;
  /** State the checkpoint keeps for this decider, when it keeps its own (a local policy). */
  snapshot?(): PolicyState;
  restore?(state: PolicyState): void;
}
