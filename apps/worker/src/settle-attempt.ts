import type { DecisionService } from '@curfew/decisions';
import type { TrainRunResult } from '@curfew/queue';
import { type Job, WaitingError } from 'bullmq';

/** What the processor needs of the worker to settle an attempt. */
export interface SettleDeps {
  service: DecisionService;
  log: (line: string) => void;
}

/** How an attempt's training ended, from the built-in trainer or a command trainer. */
export interface AttemptSummary {
  runId: string;
  /** `interrupted`: the worker shuts down; the run goes back to the queue. */
  status: 'stopped' | 'completed' | 'interrupted';
  stopReason: string | null;
  tokensUsed: number;
  valTokens: number;
  bestStep: number | null;
  bestTokens: number | null;
  deployedEm: number | null;
  /** Where the run stands, for the worker's log line. */
  progress: string;
}

/** Ends the run with its summary, or (shut down mid-run) hands it back to the queue. */
export async function settle(
  deps: SettleDeps,
  job: Job,
  token: string | undefined,
  attempt: number,
  summary: AttemptSummary,
): Promise<TrainRunResult> {
  const { runId } = summary;
  if (summary.status === 'interrupted') {
    await deps.service.fail({ runId, attempt, reason: 'handed back: its worker shut down', retryable: true });
    deps.log(`run ${runId}: ${summary.progress}, back to the queue`);
    await job.moveToWait(token);
    throw new WaitingError();
  }
  const status = summary.stopReason === 'cancelled' ? 'cancelled' : summary.status;
  await deps.service.finish({
    runId,
    attempt,
    outcome: {
      status,
      stopReason: summary.stopReason,
      tokensUsed: summary.tokensUsed,
      valTokens: summary.valTokens,
      bestStep: summary.bestStep,
      bestTokens: summary.bestTokens,
      deployedEm: summary.deployedEm,
    },
  });
  deps.log(
    `run ${runId}: ${status} (${summary.stopReason}) after ${summary.tokensUsed} tokens, deployed EM ${summary.deployedEm ?? '-'}`,
  );
  return result(runId, status, summary);
}

export function result(
  runId: string,
  status: TrainRunResult['status'],
  summary: AttemptSummary | null,
): TrainRunResult {
  return {
    runId,
    status,
    stopReason: summary?.stopReason ?? null,
    tokensUsed: summary?.tokensUsed ?? 0,
    deployedEm: summary?.deployedEm ?? null,
  };
}

/** Progress for `curfew watch` only: a Redis hiccup must not stop training, but is said once. */
let progressFailed = false;
export function reportProgress(
  deps: SettleDeps,
  job: Job,
  runId: string,
  progress: Record<string, number>,
): void {
  job.updateProgress(progress).then(
    () => {
      progressFailed = false;
    },
    (error: Error) => {
      if (!progressFailed) deps.log(`run ${runId}: progress not shown (${error.message}); training goes on`);
      progressFailed = true;
    },
  );
}
