import { PolicyOptionsError } from './errors';
import { checkStopModel, type StopModel } from './learn/stop-model';
import type { PolicyName, PolicyOptions } from './options';
import { createAshaPolicy } from './policies/asha';
import { createAutoPolicy } from './policies/auto';
import { createExtrapolatePolicy } from './policies/extrapolate';
import { withLrDropBeforeStop } from './policies/lr-drop-before-stop';
import { createMedianPolicy } from './policies/median';
import { createMetaPolicy } from './policies/meta';
import { createNonePolicy } from './policies/none';
import { createPatiencePolicy } from './policies/patience';
import { createThresholdPolicy } from './policies/threshold';
import { assertNever, type RunInfo, type StoppingPolicy } from './types';

/** Every policy, in the order `curfew replay --policy all` prints them. */
export const POLICY_NAMES = [
  'none',
  'patience',
  'threshold',
  'median',
  'asha',
  'extrapolate',
  'meta',
  'auto',
] as const satisfies readonly PolicyName[];

export interface PolicyContext {
  run: RunInfo;
  /** What history taught (fitted by StopModelTrainer); `meta` needs it, `auto` uses it when present. */
  model?: StopModel | null;
}

function createBase(options: PolicyOptions, { run, model }: PolicyContext): StoppingPolicy {
  switch (options.name) {
    case 'none':
      return createNonePolicy(options, run);
    case 'patience':
      return createPatiencePolicy(options, run);
    case 'threshold':
      return createThresholdPolicy(options, run);
    case 'median':
      return createMedianPolicy(options, run);
    case 'asha':
      return createAshaPolicy(options, run);
    case 'extrapolate':
      return createExtrapolatePolicy(options, run);
    case 'meta':
      if (!model) {
        throw new PolicyOptionsError(
          `policy meta learns from history and has none it could validate for run ${run.id}: ` +
            'give it runs of at least two other tasks (replay: --history FILE...)',
        );
      }
      return createMetaPolicy(options, run, checkStopModel(model));
    case 'auto':
      return createAutoPolicy(options, run, model ? checkStopModel(model) : null);
    default:
      return assertNever(options, 'policy');
  }
}

/** The policy a run's options name, wrapped to drop the LR once before stopping when asked. */
export function createPolicy(options: PolicyOptions, context: PolicyContext): StoppingPolicy {
  const policy = createBase(options, context);
  if (options.name !== 'none' && options.lr_drop_before_stop) {
    return withLrDropBeforeStop(policy, { mode: options.mode });
  }
  return policy;
}

/** Whether a policy learns from history (so replay and the scheduler fit a StopModel for it). */
export function usesHistory(name: PolicyName): boolean {
  return name === 'meta' || name === 'auto';
}
