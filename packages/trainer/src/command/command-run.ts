import path from 'node:path';
import type { ExperimentSpec, ParamValue } from '@curfew/spec';
import { PLACEHOLDER } from '@curfew/spec';
import { TaskParamsError } from '../tasks/errors';

/** One run of a command trainer, resolved from the spec and the trial's parameters. */
export interface CommandRun {
  runId: string;
  experimentId: string;
  trial: number;
  /** Program and arguments as the spec writes them, `{name}` placeholders unfilled. */
  command: readonly string[];
  /** Absolute working directory (resolved at submit). */
  cwd: string;
  env: Readonly<Record<string, string>>;
  params: Readonly<Record<string, ParamValue>>;
  task: Readonly<Record<string, unknown>>;
  budgetTokens: number;
  evalEveryTokens: number | null;
  /** What the policy watches, for the run's best eval. */
  monitor: string;
  mode: 'max' | 'min';
  evalTimeoutMs: number;
  graceMs: number;
}

/** Where one attempt runs: its folder (the program's checkpoint dir) and the accelerator. */
export interface CommandAttempt {
  attempt: number;
  checkpointDir: string;
  evalFile: string;
  /** `cpu`, or `cuda:N`; given to the program, which chooses how to use it. */
  accelerator: string;
  /** Step of the checkpoint the folder holds (adopted from an earlier attempt), or null. */
  resumedFromStep: number | null;
  /** The run's evals kept from earlier attempts (up to the adopted checkpoint), oldest first. */
  priorEvals?: readonly PriorEval[];
  /** The environment the worker passes through (PATH, HOME, …): never its own secrets. */
  baseEnv: Readonly<Record<string, string>>;
}

/** An eval an earlier attempt reported, which still stands. */
export interface PriorEval {
  step: number;
  tokens: number;
  valTokens: number;
  metrics: Readonly<Record<string, number>>;
}

export function resolveCommandRun(
  spec: ExperimentSpec,
  job: { runId: string; trial: number; params: Record<string, ParamValue> },
): CommandRun {
  const trainer = spec.trainer;
  const budgetTokens = spec.budget?.max_tokens_per_run;
  const command = trainer?.command;
  if (!trainer || !command || budgetTokens === undefined)
    throw new TaskParamsError(
      `${spec.name}: a worker trains only trainer.command runs with a budget (external runs are taken through the report API)`,
    );
  const policy = spec.policy;
  return {
    runId: job.runId,
    experimentId: job.runId.slice(0, job.runId.lastIndexOf('/')),
    trial: job.trial,
    command,
    cwd: path.resolve(trainer.cwd ?? '.'),
    env: trainer.env ?? {},
    params: job.params,
    task: spec.task,
    budgetTokens,
    evalEveryTokens: spec.eval?.every_tokens ?? null,
    monitor: policy.name === 'none' ? 'em' : policy.monitor,
    mode: policy.name === 'none' ? 'max' : policy.mode,
    evalTimeoutMs: trainer.eval_timeout_ms,
    graceMs: trainer.grace_ms,
  };
}

/** The program's argv: each `{name}` replaced by the run's parameter or attempt value. */
export function commandArgv(run: CommandRun, attempt: CommandAttempt): string[] {
  const values: Record<string, string> = {
    run_id: run.runId,
    trial: String(run.trial),
    attempt: String(attempt.attempt),
    checkpoint_dir: attempt.checkpointDir,
    eval_file: attempt.evalFile,
    ...Object.fromEntries(Object.entries(run.params).map(([k, v]) => [k, String(v)])),
  };
  return run.command.map((arg) =>
    arg.replace(PLACEHOLDER, (whole, name: string) =>
      Object.hasOwn(values, name) ? (values[name] as string) : whole,
    ),
  );
}

/** What the program is told in CURFEW_RUN_CONFIG (snake_case, for Python). */
export function runConfigOf(run: CommandRun, attempt: CommandAttempt): Record<string, unknown> {
  return {
    run_id: run.runId,
    experiment_id: run.experimentId,
    trial: run.trial,
    attempt: attempt.attempt,
    params: run.params,
    task: run.task,
    budget_tokens: run.budgetTokens,
    eval_every_tokens: run.evalEveryTokens,
    monitor: run.monitor,
    mode: run.mode,
    checkpoint_dir: attempt.checkpointDir,
    eval_file: attempt.evalFile,
    resumed_from_step: attempt.resumedFromStep,
    accelerator: attempt.accelerator,
  };
}

/** The program's environment: the worker's pass-through, the spec's, then curfew's own. */
export function commandEnv(run: CommandRun, attempt: CommandAttempt): Record<string, string> {
  const cuda = /^cuda:(\d+)$/.exec(attempt.accelerator);
  return {
    ...attempt.baseEnv,
    PYTHONUNBUFFERED: '1',
    ...run.env,
    CURFEW_RUN_ID: run.runId,
    CURFEW_RUN_CONFIG: JSON.stringify(runConfigOf(run, attempt)),
    CURFEW_CHECKPOINT_DIR: attempt.checkpointDir,
    CURFEW_EVAL_FILE: attempt.evalFile,
    // The step of the announced checkpoint to resume from (empty: from scratch).
    CURFEW_RESUME_STEP: attempt.resumedFromStep === null ? '' : String(attempt.resumedFromStep),
    CURFEW_BUDGET_TOKENS: String(run.budgetTokens),
    CURFEW_ACCELERATOR: attempt.accelerator,
    ...(cuda
      ? { CUDA_VISIBLE_DEVICES: cuda[1] as string }
      : attempt.accelerator === 'cpu'
        ? { CUDA_VISIBLE_DEVICES: '' }
        : {}),
  };
}
