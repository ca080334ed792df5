import type { DecisionService, StartAttemptResponse } from '@curfew/decisions';
import { parseJobData, type TrainRunJob, type TrainRunResult } from '@curfew/queue';
import type { Eval } from '@curfew/store';
import {
  type BackendName,
  resolveTrainRun,
  type TrainOptions,
  type TrainRun,
  type TrainSummary,
  train,
} from '@curfew/trainer';
import { type Job, UnrecoverableError } from 'bullmq';
import { adoptNewest, prepareAttemptFolder } from './attempt-folder';
import { commandAttempt } from './command-attempt';
import { classify, failAttempt } from './failure';
import type { AppendLog } from './run-log-writer';
import { serviceDecider } from './service-decider';
import { reportProgress, result, settle } from './settle-attempt';

export interface ProcessorDeps {
  service: DecisionService;
  /** Who this worker is, for the record: `host:pid`. */
  workerId: string;
  artifactsDir: string;
  backend: BackendName;
  /** Aborted when the worker shuts down: runs checkpoint and go back to the queue. */
  shutdown: AbortSignal;
  log: (line: string) => void;
  /**
   * What trains a run: the TF.js trainer unless the worker was started with another one that
   * keeps the same contract (decide after every eval and obey, honour the signal, summarise).
   * @defaultValue `train` from @curfew/trainer
   */
  trainer?: Trainer;
  /** The accelerator a command trainer's program may use (`cpu`, `cuda:0`). */
  accelerator: string;
  /** The environment command trainers' programs start from. */
  programEnv: Record<string, string>;
  /** Appends to an attempt's stored output. */
  appendLog: AppendLog;
  /** The run's stored evals, in step order. */
  runEvals: (runId: string) => Promise<Eval[]>;
}

/** The trainer contract the worker drives (`train` from @curfew/trainer is the built-in one). */
export type Trainer = (run: TrainRun, options: TrainOptions) => Promise<TrainSummary>;

type Started = Extract<StartAttemptResponse, { kind: 'started' }>;

/**
 * The `train-run` processor: parse the payload (a bad one fails the run, never retried), start
 * an attempt with the decision service, adopt the newest resumable checkpoint into this
 * attempt's own folder, train with the service deciding after every eval, and end the run.
 */
export function createTrainRunProcessor(deps: ProcessorDeps) {
  return async (job: Job, token?: string): Promise<TrainRunResult> => {
    const data = await parsePayload(deps, job);
    const started = await deps.service.startAttempt({
      runId: data.runId,
      workerId: deps.workerId,
      backend: data.spec.trainer?.command ? 'command' : deps.backend,
    });
    if (started.kind === 'refused') {
      deps.log(`run ${data.runId}: ${started.reason}: nothing to train`);
      return result(data.runId, started.status === 'cancelled' ? 'cancelled' : 'stopped', null);
    }
    try {
      if (data.spec.trainer) return await commandAttempt(deps, job, token, data, started);
      return await trainAttempt(deps, job, token, data, started);
    } catch (error) {
      if ((error as Error).name === 'WaitingError') throw error;
      if (classify(error) === 'superseded') {
        // Another attempt owns the run now (or it ended): stop here and leave the run to it.
        deps.log(`run ${data.runId}: attempt ${started.attempt} stops: ${(error as Error).message}`);
        return result(data.runId, 'superseded', null);
      }
      deps.log(`run ${data.runId}: attempt ${started.attempt} failed: ${(error as Error).message}`);
      return failAttempt(deps.service, job, data.runId, started.attempt, error);
    }
  };
}

async function trainAttempt(
  deps: ProcessorDeps,
  job: Job,
  token: string | undefined,
  data: TrainRunJob,
  started: Started,
): Promise<TrainRunResult> {
  const { runId } = data;
  const run = resolveTrainRun(data.spec, { trial: data.trial, params: data.params, sampled: {} }, { runId });
  const dir = await prepareAttemptFolder(deps.artifactsDir, runId, started.attempt);
  const adopted = await adoptNewest(deps.artifactsDir, runId, dir, started.checkpoints);
  await deps.service.resume({
    runId,
    attempt: started.attempt,
    step: adopted?.step ?? null,
    fromAttempt: adopted?.attempt ?? null,
  });
  deps.log(
    `run ${runId}: attempt ${started.attempt}${adopted ? ` resumes attempt ${adopted.attempt}'s checkpoint at step ${adopted.step}` : ' starts'}`,
  );
  const controller = new AbortController();
  const onShutdown = () => controller.abort('shutdown');
  deps.shutdown.addEventListener('abort', onShutdown);
  try {
    const summary = await (deps.trainer ?? train)(run, {
      backend: deps.backend,
      checkpointDir: dir,
      decider: serviceDecider(deps.service, runId, started.attempt),
      onEval: (e) => reportProgress(deps, job, runId, { step: e.step, tokens: e.tokens, em: e.em, lr: e.lr }),
      onCheckpoint: (info) =>
        deps.service.recordCheckpoint({
          runId,
          attempt: started.attempt,
          kind: info.kind,
          step: info.step,
          tokens: info.tokens,
          path: info.path,
          bytes: info.bytes,
        }),
      signal: controller.signal,
    });
    return await settle(deps, job, token, started.attempt, {
      ...summary,
      progress: `checkpointed at step ${summary.steps}`,
    });
  } finally {
    deps.shutdown.removeEventListener('abort', onShutdown);
  }
}

/** Parses the payload; a bad one fails its run (when it names one) and is never retried. */
async function parsePayload(deps: ProcessorDeps, job: Job): Promise<TrainRunJob> {
  try {
    return parseJobData('train-run', job.data);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const runId = (job.data as { runId?: unknown } | undefined)?.runId;
    if (typeof runId === 'string' && /^[a-z0-9-]+\/\d+$/.test(runId)) {
      try {
        await deps.service.fail({ runId, attempt: null, reason: message.slice(0, 2_000), retryable: false });
      } catch (failed) {
        if ((failed as Error).name !== 'RunNotFoundError') throw failed;
        deps.log(`a train-run job names run ${runId}, which does not exist: ${message}`);
      }
    }
    throw new UnrecoverableError(message);
  }
}
