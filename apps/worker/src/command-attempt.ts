import { cp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { metricsOfRow, type ResumableCheckpoint } from '@curfew/decisions';
import type { Decision } from '@curfew/policies';
import type { TrainRunJob, TrainRunResult } from '@curfew/queue';
import type { Eval } from '@curfew/store';
import { type CommandSummary, type PriorEval, resolveCommandRun, runCommand } from '@curfew/trainer';
import type { Job } from 'bullmq';
import { artifactsError, attemptFolder, isUnwritable, prepareAttemptFolder } from './attempt-folder';
import { RunLogWriter } from './run-log-writer';
import { reportProgress, type SettleDeps, settle } from './settle-attempt';
import type { ProcessorDeps } from './train-run.processor';

interface Started {
  attempt: number;
  checkpoints: readonly ResumableCheckpoint[];
}

/**
 * One attempt of a command trainer's run: the attempt's folder (holding the newest checkpoint
 * the program announced, copied from the attempt that wrote it), the program run with every eval
 * going through the decision service, its output to the run's log, and the run ended.
 */
export async function commandAttempt(
  deps: ProcessorDeps,
  job: Job,
  token: string | undefined,
  data: TrainRunJob,
  started: Started,
): Promise<TrainRunResult> {
  const { runId } = data;
  const run = resolveCommandRun(data.spec, data);
  const dir = await prepareAttemptFolder(deps.artifactsDir, runId, started.attempt);
  const evalFile = `${dir}.evals.jsonl`;
  await rm(evalFile, { force: true });
  const adopted = await adoptFolder(deps.artifactsDir, runId, dir, started.checkpoints);
  await deps.service.resume({
    runId,
    attempt: started.attempt,
    step: adopted?.step ?? null,
    fromAttempt: adopted?.attempt ?? null,
  });
  const where = { runId, attempt: started.attempt };
  const output = new RunLogWriter(deps.appendLog, where, deps.log);
  const note = (line: string) => output.line(`curfew: ${line}`);
  note(
    `attempt ${started.attempt} ${adopted ? `resumes attempt ${adopted.attempt}'s checkpoint at step ${adopted.step}` : 'starts'}`,
  );
  deps.log(
    `run ${runId}: attempt ${started.attempt} starts ${run.command[0]}${adopted ? ` (resumes step ${adopted.step})` : ''}`,
  );
  const controller = new AbortController();
  const onShutdown = () => controller.abort('shutdown');
  deps.shutdown.addEventListener('abort', onShutdown);
  try {
    const summary = await runCommand(
      run,
      {
        attempt: started.attempt,
        checkpointDir: dir,
        evalFile,
        accelerator: deps.accelerator,
        resumedFromStep: adopted?.step ?? null,
        priorEvals: (await deps.runEvals(runId)).map(priorEvalOf),
        baseEnv: deps.programEnv,
      },
      {
        decide: async (report) =>
          (await deps.service.report({ ...where, ...report, full: true })).decision as Decision,
        onLog: (line) => output.line(line),
        onCheckpoint: async ({ step, tokens }) => {
          const bytes = await folderBytes(dir);
          await deps.service.recordCheckpoint({ ...where, kind: 'latest', step, tokens, path: dir, bytes });
        },
        onEval: (report, decision) => {
          const em = report.metrics.em;
          reportProgress(deps, job, runId, {
            step: report.step,
            tokens: report.tokens,
            ...(typeof em === 'number' ? { em } : {}),
          });
          if (decision.kind !== 'continue')
            note(`step ${report.step}: ${decision.kind} (${decision.reason})`);
        },
        signal: controller.signal,
      },
    );
    if (summary.killed)
      note(`the program ignored SIGTERM for ${run.graceMs} ms (trainer.grace_ms) and was killed`);
    note(
      `attempt ${started.attempt} ends: ${summary.status}${summary.stopReason ? ` (${summary.stopReason})` : ''}`,
    );
    return await settle(deps as SettleDeps, job, token, started.attempt, attemptSummaryOf(summary));
  } catch (error) {
    note(`attempt ${started.attempt} failed: ${(error as Error).message}`);
    throw error;
  } finally {
    deps.shutdown.removeEventListener('abort', onShutdown);
    await output.close();
  }
}

function attemptSummaryOf(summary: CommandSummary) {
  return { ...summary, progress: `stopped its program after ${summary.evals} evals` };
}

function priorEvalOf(row: Eval): PriorEval {
  return { step: row.step, tokens: row.tokens, valTokens: row.valTokens, metrics: metricsOfRow(row) };
}

/**
 * Copies the folder of the newest checkpoint the program announced (and the service still
 * counts) into this attempt's folder, for the program to resume from. Null: none to resume.
 */
async function adoptFolder(
  artifactsDir: string,
  runId: string,
  dir: string,
  candidates: readonly ResumableCheckpoint[],
): Promise<ResumableCheckpoint | null> {
  for (const candidate of candidates) {
    const from = attemptFolder(artifactsDir, runId, candidate.attempt);
    if (!(await stat(from).catch(() => null))?.isDirectory()) continue;
    try {
      await cp(from, dir, { recursive: true, force: true });
    } catch (error) {
      if (isUnwritable(error)) throw artifactsError(dir, error);
      throw error;
    }
    return candidate;
  }
  return null;
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (!entry.isFile()) continue;
    total += (await stat(path.join(entry.parentPath, entry.name)).catch(() => null))?.size ?? 0;
  }
  return total;
}
