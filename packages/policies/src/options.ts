import type { Mode } from './types';

/**
 * Policy options, in the experiment spec's own snake_case shape, so a parsed `policy:` section of
 * a spec (validated by @curfew/spec, which owns the schemas and their error messages) is passed
 * in as it is. Policies still check what they rely on and throw PolicyOptionsError.
 */
export interface CommonOptions {
  /** Eval metric watched. @defaultValue 'em' */
  monitor: string;
  mode: Mode;
  /** EM the user accepts to lose. @defaultValue 0.005 */
  tolerance: number;
  /** Drop the LR once before stopping. @defaultValue false */
  lr_drop_before_stop: boolean;
}

export interface NoneOptions {
  name: 'none';
}
export interface PatienceOptions extends CommonOptions {
  name: 'patience';
  /** Evals without improvement before stopping (Keras `patience`). */
  patience: number;
  /** Smallest change that counts as improvement (Keras `min_delta`). */
  min_delta: number;
  /** Keras `baseline`: stop if the monitor does not beat it within patience. */
  baseline?: number | undefined;
  /** Keras `start_from_epoch`: evals before patience starts counting. */
  start_from_eval: number;
  restore_best: boolean;
}
export interface ThresholdOptions extends CommonOptions {
  name: 'threshold';
  /** Evals before the threshold may stop a run. */
  min_evals: number;
}
export interface MedianOptions extends CommonOptions {
  name: 'median';
  /** Finished runs needed before the rule applies (Optuna n_startup_trials). */
  startup_runs: number;
  /** Evals of a run before it may be stopped (Optuna n_warmup_steps). */
  warmup_evals: number;
}
export interface AshaOptions extends CommonOptions {
  name: 'asha';
  reduction_factor: number;
  /** Tokens of the first rung. @defaultValue budget / reduction_factor^4 */
  min_resource_tokens?: number | undefined;
  max_rungs?: number | undefined;
}
export interface ExtrapolateOptions extends CommonOptions {
  name: 'extrapolate';
  /** Stop when P(gain by the budget > tolerance) falls below this. */
  probability: number;
  min_evals: number;
}
export interface MetaOptions extends CommonOptions {
  name: 'meta';
}
export interface AutoOptions extends CommonOptions {
  name: 'auto';
}

export type PolicyOptions =
  | NoneOptions
  | PatienceOptions
  | ThresholdOptions
  | MedianOptions
  | AshaOptions
  | ExtrapolateOptions
  | MetaOptions
  | AutoOptions;

export type PolicyName = PolicyOptions['name'];
