import { POLICY_NAMES } from '@curfew/policies';
import { z } from 'zod';
import { booleanField, enumField, intField, numberField, stringField } from './fields.js';

/** The policy names, owned by @curfew/policies (the spec validates their options). */
export const policyNames = POLICY_NAMES;
export type PolicyName = (typeof policyNames)[number];

export const monitorModes = ['max', 'min'] as const;
export type MonitorMode = (typeof monitorModes)[number];

/**
 * The mode a monitored metric defaults to: `min` for losses, perplexity and error rates,
 * `max` for everything else (em, accuracy).
 */
export function defaultModeFor(monitor: string): MonitorMode {
  return /loss|perplexity|error/i.test(monitor) ? 'min' : 'max';
}

/** Options shared by every policy except `none`. */
const common = {
  monitor: stringField().default('em').describe('Eval metric the policy watches.'),
  mode: enumField(monitorModes).optional().describe('max or min; defaults from the monitor name.'),
  tolerance: numberField({ min: 0, max: 1 })
    .default(0.005)
    .describe('EM the user accepts to lose (0.005 = half a point).'),
  lr_drop_before_stop: booleanField().default(false).describe('Drop the LR once before stopping.'),
};

const count = (min: number, defaultValue: number) => intField({ min }).default(defaultValue);

export const NonePolicy = z.strictObject({ name: z.literal('none') });
export const PatiencePolicy = z.strictObject({
  name: z.literal('patience'),
  ...common,
  patience: count(0, 5).describe('Evals without improvement before stopping.'),
  min_delta: numberField({ min: 0 }).default(0).describe('Smallest change that counts as improvement.'),
  baseline: numberField().optional().describe('Stop if the monitor does not beat this value.'),
  start_from_eval: count(0, 0).describe('Evals to ignore before counting patience.'),
  restore_best: booleanField().default(true).describe('Deploy the best checkpoint, not the last.'),
});
export const ThresholdPolicy = z.strictObject({
  name: z.literal('threshold'),
  ...common,
  min_evals: count(1, 3).describe('Evals before the noise-aware threshold may stop a run.'),
});
export const MedianPolicy = z.strictObject({
  name: z.literal('median'),
  ...common,
  startup_runs: count(1, 5).describe('Runs to complete before the median rule applies.'),
  warmup_evals: count(0, 3).describe('Evals of a run before it can be stopped.'),
});
export const AshaPolicy = z.strictObject({
  name: z.literal('asha'),
  ...common,
  reduction_factor: intField({ min: 2 })
    .default(3)
    .describe('Keep 1 of every reduction_factor runs per rung.'),
  min_resource_tokens: intField({ min: 1 }).optional().describe('Tokens of the first rung.'),
  max_rungs: intField({ min: 1 }).optional().describe('Most rungs.'),
});
export const ExtrapolatePolicy = z.strictObject({
  name: z.literal('extrapolate'),
  ...common,
  probability: numberField({ min: 0, max: 1 })
    .default(0.05)
    .describe('Stop when the chance of beating the best run falls below this.'),
  min_evals: count(2, 4).describe('Evals before a curve is extrapolated.'),
});
export const MetaPolicy = z.strictObject({ name: z.literal('meta'), ...common });
export const AutoPolicy = z.strictObject({ name: z.literal('auto'), ...common });

const PolicyUnion = z.discriminatedUnion('name', [
  NonePolicy,
  PatiencePolicy,
  ThresholdPolicy,
  MedianPolicy,
  AshaPolicy,
  ExtrapolatePolicy,
  MetaPolicy,
  AutoPolicy,
]);
type PolicyInput = z.output<typeof PolicyUnion>;

/** A parsed policy: `mode` is always set (from the monitor when not written). */
type WithMode<P> = P extends { monitor: string } ? Omit<P, 'mode'> & { mode: MonitorMode } : P;

function withMode(policy: PolicyInput): WithMode<PolicyInput> {
  if (policy.name === 'none') return policy;
  return { ...policy, mode: policy.mode ?? defaultModeFor(policy.monitor) } as WithMode<PolicyInput>;
}

/** The stopping policy; absent means `{ name: auto, tolerance: 0.005 }`. */
export const PolicySpec = PolicyUnion.transform(withMode);
export type PolicySpec = z.infer<typeof PolicySpec>;
export const defaultPolicy = { name: 'auto', tolerance: 0.005 } as const;
