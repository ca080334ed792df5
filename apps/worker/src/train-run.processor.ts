import path from 'node:path';
import { usesHistory } from '@curfew/policies';
import { parseJobData, type TrainRunResult } from '@curfew/queue';
import {
  failRun,
  finishRun,
  markRunRunning,
  recordCheckpoint,
  runStatus,
  type StoreDatabase,
} from '@curfew/store';
import { type BackendName, resolveTrainRun, type TrainSummary, train } from '@curfew/trainer';
import { type Job, UnrecoverableError, WaitingError } from 'bullmq';
import { EvalWriter } from './eval-writer';
import type { HistoryModelCache } from './history-model';
import { loadPeers } from './peers';
import { usesPeers } from './uses-peers';

export interface ProcessorDeps {
  db: StoreDatabase;
  /** Models learned from the database's history, for `meta` and `auto`. */
  history: HistoryModelCache;
  artifactsDir: string;
  backend: BackendName;
  /** Aborted when the worker shuts down: runs checkpoint and go back to the queue. */
  shutdown: AbortSignal;
  log: (line: string) => void;
}

/** Errors of a run's configuration, classified by name (STYLE.md): retrying cannot help. */
const CONFIG_ERRORS = new Set(['TaskParamsError', 'ModelFamilyError', 'PolicyOptionsError', 'BackendError']);

/** Reasons a run's training is aborted. */
const CANCELLED = 'cancelled';

/**
 * The `train-run` processor: parse the payload (a bad one fails without retries, the reason on
 * the run), train with evals written in batches, and store the summary. On shutdown the run is
 * checkpointed and released to the queue; a re-delivered run resumes from its checkpoint.
 */
export function createTrainRunProcessor(deps: ProcessorDeps) {
  return async (job: Job, token?: string): Promise<TrainRunResult> => {
    const data = await parsePayload(deps.db, job);
    const { runId } = data;
    const before = await markRunRunning(deps.db, runId, deps.backend);
    if (before !== 'queued' && before !== 'running') {
      deps.log(`run ${runId} is ${before}: nothing to train`);
      return {
        runId,
        status: before === 'cancelled' ? 'cancelled' : 'stopped',
        stopReason: null,
        tokensUsed: 0,
        deployedEm: null,
      };
    }
    const run = resolveTrainRun(
      data.spec,
      { trial: data.trial, params: data.params, sampled: {} },
      { runId },
    );
    const learns = usesHistory(run.policy.name);
    const stopModel = learns ? await deps.history.modelFor(run.task) : null;
    if (learns) {
      const how = stopModel
        ? 'with a stop model learned from history'
        : 'no validated history yet: threshold rule';
      deps.log(`run ${runId}: policy ${run.policy.name}, ${how}`);
    }
    const controller = new AbortController();
    const onShutdown = () => controller.abort('shutdown');
    deps.shutdown.addEventListener('abort', onShutdown);
    const writer = new EvalWriter(deps.db, runId);
    const monitor = run.policy.name === 'none' ? 'em' : run.policy.monitor;
    try {
      const summary = await train(run, {
        backend: deps.backend,
        checkpointDir: path.join(deps.artifactsDir, ...runId.split('/')),
        stopModel,
        ...(usesPeers(run.policy.name)
          ? { peers: (tokens: number) => loadPeers(deps.db, data.experimentId, runId, monitor, tokens) }
          : {}),
        onResume: (evals) => writer.add(evals),
        onEval: async (evalRow) => {
          await writer.add([evalRow]);
          await job.updateProgress({
            step: evalRow.step,
            tokens: evalRow.tokens,
            em: evalRow.em,
            lr: evalRow.lr,
          });
          if ((await runStatus(deps.db, runId)) === 'cancelled') controller.abort(CANCELLED);
        },
        onCheckpoint: (info) =>
          recordCheckpoint(deps.db, {
            runId,
            attempt: job.attemptsMade + 1,
            step: info.step,
            tokens: info.tokens,
            path: info.path,
            isBest: info.kind === 'best',
            bytes: info.bytes,
          }),
        signal: controller.signal,
      });
      await writer.flush();
      return await settle(deps, job, token, summary, controller.signal.reason);
    } catch (error) {
      await writer.flush().catch(() => undefined);
      if ((error as Error).name === 'WaitingError') throw error;
      if (CONFIG_ERRORS.has((error as Error).name)) {
        // A spec the trainer cannot run fails the same way on every attempt: no retries.
        await failRun(deps.db, runId, (error as Error).message);
        throw new UnrecoverableError((error as Error).message);
      }
      await failIfLastAttempt(deps.db, job, runId, error);
      throw error;
    } finally {
      deps.shutdown.removeEventListener('abort', onShutdown);
    }
  };
}

async function settle(
  deps: ProcessorDeps,
  job: Job,
  token: string | undefined,
  summary: TrainSummary,
  abortReason: unknown,
): Promise<TrainRunResult> {
  const { runId } = summary;
  if (summary.status === 'interrupted' && abortReason !== CANCELLED) {
    deps.log(`run ${runId}: checkpointed at step ${summary.steps}, back to the queue`);
    await job.moveToWait(token);
    throw new WaitingError();
  }
  const status = summary.status === 'interrupted' ? 'cancelled' : summary.status;
  await finishRun(deps.db, runId, {
    status,
    stopReason: status === 'cancelled' ? 'cancelled' : summary.stopReason,
    tokensUsed: summary.tokensUsed,
    valTokens: summary.valTokens,
    bestStep: summary.bestStep,
    bestTokens: summary.bestTokens,
    deployedEm: summary.deployedEm,
  });
  deps.log(
    `run ${runId}: ${status} (${summary.stopReason ?? 'cancelled'}) after ${summary.tokensUsed} tokens, deployed EM ${summary.deployedEm ?? '-'}`,
  );
  return {
    runId,
    status,
    stopReason: summary.stopReason,
    tokensUsed: summary.tokensUsed,
    deployedEm: summary.deployedEm,
  };
}

/** Parses the payload; a bad one is stored on its run (when it names one) and never retried. */
async function parsePayload(db: StoreDatabase, job: Job) {
  try {
    return parseJobData('train-run', job.data);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const runId = (job.data as { runId?: unknown } | undefined)?.runId;
    if (typeof runId === 'string') await failRun(db, runId, message).catch(() => undefined);
    throw new UnrecoverableError(message);
  }
}

async function failIfLastAttempt(db: StoreDatabase, job: Job, runId: string, error: unknown): Promise<void> {
  const attempts = job.opts.attempts ?? 1;
  if (job.attemptsMade + 1 < attempts) return;
  await failRun(db, runId, error instanceof Error ? error.message : String(error)).catch(() => undefined);
}
