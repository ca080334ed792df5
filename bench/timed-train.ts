// Timed training for the trainer benches: a run built from a spec, trained until a time or step
// count is reached, timed from `onStart` (data and model built) until the aborted run returns.
import {
  type BackendName,
  exampleTokens,
  generateTask,
  type TrainRun,
  type TrainSummary,
  train,
} from '@curfew/trainer';
import { specRuns } from './bench-support';

/** Warm-up: at least this many steps and seconds. */
export const WARMUP = { steps: 5, seconds: 3 };
export const VAL_EXAMPLES = 64;

export interface BenchModel {
  label: string;
  run: TrainRun;
  /** Training tokens of one full batch. */
  stepTokens: number;
}

export function benchModel(label: string, spec: Parameters<typeof specRuns>[0]): BenchModel {
  const run = specRuns(spec)[0] as TrainRun;
  const example = generateTask(run.task).train[0];
  if (!example) throw new Error(`${label}: the task has no training examples`);
  return { label, run, stepTokens: Number(run.model.params.batch_size) * exampleTokens(example) };
}

export interface Timed {
  summary: TrainSummary;
  seconds: number;
  /** CPU seconds the process used per wall second. */
  cpuShare: number;
}

/**
 * Trains until `done` says so (checked after every step when `evalEverySteps` is 1, or from a
 * timer) and times it from `onStart` until the interrupted run returns.
 */
export async function timedTrain(
  model: BenchModel,
  backend: BackendName,
  evalEverySteps: number,
  stopAfter: { seconds: number; steps: number },
): Promise<Timed> {
  const budgetTokens = 1e9 * model.stepTokens;
  const run: TrainRun = {
    ...model.run,
    runId: `${model.run.runId}-${backend}`,
    budgetTokens,
    evalEveryTokens: Math.min(budgetTokens, evalEverySteps * model.stepTokens),
  };
  const controller = new AbortController();
  let t0 = 0;
  let cpu0 = process.cpuUsage();
  let timer: NodeJS.Timeout | undefined;
  const elapsed = () => (performance.now() - t0) / 1000;
  try {
    const summary = await train(run, {
      backend,
      signal: controller.signal,
      onStart: () => {
        t0 = performance.now();
        cpu0 = process.cpuUsage();
        if (stopAfter.steps === 0) timer = setTimeout(() => controller.abort(), stopAfter.seconds * 1000);
      },
      onEval: (e) => {
        if (e.step >= stopAfter.steps && elapsed() >= stopAfter.seconds) controller.abort();
      },
    });
    const seconds = elapsed();
    const cpu = process.cpuUsage(cpu0);
    return { summary, seconds, cpuShare: (cpu.user + cpu.system) / 1e6 / seconds };
  } finally {
    clearTimeout(timer);
  }
}
