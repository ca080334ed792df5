import {
  createPolicy,
  type Decision,
  type EvalPoint,
  type Mode,
  type PeerRun,
  type PolicyOptions,
  type PolicyState,
  type RunInfo,
  type StopModel,
  usesHistory,
} from '@curfew/policies';
import { ExperimentSpec, runFeatures, taskKey } from '@curfew/spec';
import type { ExperimentRunRow } from '@curfew/store';
import { divergedMetric } from './eval-metrics.js';
import { BadRequestError } from './requests/index.js';

/** The stopping policy of an experiment's spec: the same for each of its runs. */
export interface ExperimentPolicy {
  spec: ExperimentSpec;
  options: PolicyOptions;
  monitor: string;
  mode: Mode;
  /** The task's name in history (stop models are chosen by it). */
  task: string;
  learns: boolean;
}

/** An experiment's stored spec does not parse (written by something other than curfew submit). */
export class StoredSpecError extends Error {
  override readonly name = 'StoredSpecError';
}

export function experimentPolicyOf(storedSpec: unknown, experimentId = 'the experiment'): ExperimentPolicy {
  const parsed = ExperimentSpec.safeParse(storedSpec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoredSpecError(
      `${experimentId}: its stored spec is not valid (${issue?.path.join('.') || 'spec'}: ${issue?.message}); resubmit it`,
    );
  }
  const spec = parsed.data;
  const options = spec.policy as PolicyOptions;
  return {
    spec,
    options,
    monitor: options.name === 'none' ? 'em' : options.monitor,
    mode: options.name === 'none' ? 'max' : options.mode,
    task: taskKey(spec.task),
    learns: usesHistory(options.name),
  };
}

/** What one run's policy is built from. */
export interface RunPolicyContext {
  options: PolicyOptions;
  run: RunInfo;
  model: StopModel | null;
}

export function runPolicyContext(
  policy: ExperimentPolicy,
  run: Pick<ExperimentRunRow, 'id' | 'budgetTokens' | 'config'>,
  model: StopModel | null,
): RunPolicyContext {
  const budgetTokens = run.budgetTokens ?? policy.spec.budget?.max_tokens_per_run;
  if (budgetTokens === undefined || budgetTokens === null)
    throw new BadRequestError(`run ${run.id} has no budget_tokens: a policy needs the run's full budget`);
  return {
    options: policy.options,
    run: {
      id: run.id,
      budgetTokens,
      mode: policy.mode,
      metric: policy.monitor,
      features: runFeatures(policy.spec, run.config),
    },
    model: policy.learns ? model : null,
  };
}

export interface DecideInput {
  /** The run's own points before this eval, oldest first. */
  own: readonly EvalPoint[];
  /** This eval's point (null: it lacks the monitored metric). */
  point: EvalPoint | null;
  /** Every measured metric of this eval. */
  metrics: Readonly<Record<string, number>>;
  peers: readonly PeerRun[];
  cancelRequested: boolean;
}

export interface DecideStep {
  decision: Decision;
  /** The policy's state after deciding, as plain JSON. */
  state: PolicyState;
}

/** What JSON (and a jsonb column) makes of a value: live and replayed decisions start alike. */
export function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * One decision, a pure function of what it is given: a fresh policy restored to the state the
 * previous decision left (exactly what a resumed run does), then asked. A cancel answers
 * stop (cancelled) and a non-finite metric stop (diverged), leaving the state as it was.
 */
export function decideStep(
  ctx: RunPolicyContext,
  before: PolicyState | null,
  input: DecideInput,
): DecideStep {
  const policy = createPolicy(ctx.options, { run: ctx.run, model: ctx.model });
  if (before) policy.restore(before);
  const state = () => asJson(policy.snapshot());
  if (input.cancelRequested)
    return { decision: { kind: 'stop', reason: 'cancelled', detail: 'cancelled by a user' }, state: state() };
  const diverged = divergedMetric(input.metrics);
  if (diverged) return { decision: { kind: 'stop', reason: 'diverged', detail: diverged }, state: state() };
  if (!input.point) {
    const monitor = ctx.options.name === 'none' ? 'em' : ctx.options.monitor;
    throw new BadRequestError(`report: metrics.${monitor}: the run's policy monitors ${monitor}; report it`);
  }
  const decision = policy.decide({ evals: [...input.own, input.point], peers: input.peers });
  return { decision: asJson(decision), state: state() };
}
