import { type EvalPoint, gain } from '@curfew/policies';
import {
  evalsOfRun,
  getExperiment,
  latestLiveDecision,
  readRun,
  runsOf,
  type StoreDatabase,
} from '@curfew/store';
import type { DecisionService } from '../decision-service.js';
import { metricsOfRow } from '../eval-metrics.js';
import { BadRequestError } from '../requests/index.js';
import { experimentPolicyOf } from '../run-decider.js';

/** What a trainer outside the cluster is told when it takes a run. */
export interface TakenRun {
  run_id: string;
  attempt: number;
  params: Record<string, unknown>;
  budget_tokens: number | null;
  eval_every_tokens: number | null;
  monitor: string;
  mode: 'max' | 'min';
  /** The newest checkpoint it announced (in an earlier attempt) to resume from, or null. */
  resume: { step: number; tokens: number; path: string } | null;
}

/** The experiment's spec says its runs are trained through the API; else a BadRequestError. */
async function externalPolicy(db: StoreDatabase, experimentId: string) {
  const experiment = await getExperiment(db, experimentId);
  const policy = experimentPolicyOf(experiment.spec, experimentId);
  if (policy.spec.trainer?.external !== true)
    throw new BadRequestError(
      `experiment ${experimentId}: its runs are trained by curfew's workers; only experiments with trainer: { external: true } take runs through the API`,
    );
  return { experiment, policy };
}

/**
 * Takes the next queued run of an external experiment (trial order) for a trainer: its attempt
 * starts and resumes the newest checkpoint the trainer announced before, if any. Null when no
 * run is queued (all taken or ended).
 */
export async function takeRun(
  db: StoreDatabase,
  service: DecisionService,
  experimentId: string,
  workerId: string,
): Promise<TakenRun | null> {
  const { policy } = await externalPolicy(db, experimentId);
  for (const run of await runsOf(db, experimentId)) {
    if (run.status !== 'queued') continue;
    const started = await service.startAttempt({ runId: run.id, workerId, backend: 'external' });
    if (started.kind === 'refused') continue;
    const checkpoint = started.checkpoints[0] ?? null;
    await service.resume({
      runId: run.id,
      attempt: started.attempt,
      step: checkpoint?.step ?? null,
      fromAttempt: checkpoint?.attempt ?? null,
    });
    return {
      run_id: run.id,
      attempt: started.attempt,
      params: run.config,
      budget_tokens: run.budgetTokens,
      eval_every_tokens: policy.spec.eval?.every_tokens ?? null,
      monitor: policy.monitor,
      mode: policy.mode,
      resume: checkpoint ? { step: checkpoint.step, tokens: checkpoint.tokens, path: checkpoint.path } : null,
    };
  }
  return null;
}

/**
 * Ends an external run from what it reported: stopped with its policy's reason when the last
 * decision said stop (cancelled for a cancel), completed at its budget, else stopped (`exited`:
 * the trainer ended it). Its best eval by the monitored metric gives the deployed EM.
 */
export async function finishExternalRun(
  db: StoreDatabase,
  service: DecisionService,
  runId: string,
  attempt: number,
) {
  const run = await readRun(db, runId);
  const { policy } = await externalPolicy(db, run.experimentId);
  const evals = await evalsOfRun(db, runId);
  const last = evals.at(-1);
  const decision = await latestLiveDecision(db, runId);
  let best: { point: EvalPoint; em: number | null } | null = null;
  for (const e of evals) {
    const value = metricsOfRow(e)[policy.monitor];
    if (value === undefined || !Number.isFinite(value)) continue;
    const point = { step: e.step, tokens: e.tokens, value, metrics: {} };
    if (!best || gain(value, best.point.value, policy.mode) > 0) best = { point, em: e.em };
  }
  const stopped = decision?.kind === 'stop' ? decision.reason : null;
  const atBudget = last !== undefined && run.budgetTokens !== null && last.tokens >= run.budgetTokens;
  const status =
    stopped === 'cancelled' ? 'cancelled' : stopped ? 'stopped' : atBudget ? 'completed' : 'stopped';
  const stopReason = stopped ?? (atBudget ? 'budget' : 'exited');
  const outcome = {
    status,
    stopReason,
    tokensUsed: last?.tokens ?? 0,
    valTokens: last?.valTokens ?? 0,
    bestStep: best?.point.step ?? null,
    bestTokens: best?.point.tokens ?? null,
    deployedEm: best?.em !== null && best?.em !== undefined && best.em >= 0 && best.em <= 1 ? best.em : null,
  } as const;
  await service.finish({ runId, attempt, outcome });
  return {
    run_id: runId,
    status,
    stop_reason: stopReason,
    tokens_used: outcome.tokensUsed,
    deployed_em: outcome.deployedEm,
  };
}

/** An experiment's status and its runs, for a trainer waiting on it. */
export async function experimentStatus(db: StoreDatabase, experimentId: string) {
  const experiment = await getExperiment(db, experimentId);
  const runs = await runsOf(db, experimentId);
  return {
    experiment_id: experimentId,
    status: experiment.status,
    runs: runs.map((r) => ({
      run_id: r.id,
      status: r.status,
      stop_reason: r.stopReason,
      deployed_em: r.deployedEm,
    })),
  };
}
