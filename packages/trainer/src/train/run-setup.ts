import {
  createLrSchedule,
  createRegularizer,
  type LrSchedule,
  type Mode,
  type Regularizer,
} from '@curfew/policies';
import { OptimizerParams } from '@curfew/spec';
import { createModel } from '../models/create-model';
import type { Model } from '../models/model';
import { loadModelModule, type ModelFactory } from '../models/module-model';
import { Optimizer } from '../optim/optimizer';
import { loadModuleTask } from '../tasks/module-task';
import { generateTask } from '../tasks/registry';
import { exampleTokens, type TaskData } from '../tasks/task';
import { IncrementalValidator } from './incremental-validation';
import type { TrainRun } from './types';

/** The objects one run trains with, built from its TrainRun. */
export interface RunSetup {
  data: TaskData;
  model: Model;
  optimizer: Optimizer;
  schedule: LrSchedule;
  regularizer: Regularizer | null;
  validator: IncrementalValidator;
  /** The monitored metric and its direction. */
  monitor: string;
  mode: Mode;
  batchSize: number;
  /** Training tokens of one example (every example of a family's task has the same length). */
  exampleTokens: number;
  seed: number;
  baseDropout: number;
  baseWeightDecay: number;
  dispose(): void;
}

/** The run's task data: generated, read from its file, or built by its module (async). */
export async function taskDataOf(task: TrainRun['task']): Promise<TaskData> {
  return task.family === 'module' ? loadModuleTask(task) : generateTask(task);
}

/** How the run's model is built: a built-in family, or your module's createModel (async import). */
export async function modelFactoryOf(model: TrainRun['model']): Promise<ModelFactory> {
  if (model.family === 'module') return loadModelModule(model.module);
  const family = model.family;
  return (params, shape, seed) => createModel(family, params, shape, seed);
}

export function setUpRun(run: TrainRun, data: TaskData, createRunModel: ModelFactory): RunSetup {
  const opt = OptimizerParams.parse(
    Object.fromEntries(
      Object.keys(OptimizerParams.shape).flatMap((k) =>
        k in run.model.params ? [[k, run.model.params[k]]] : [],
      ),
    ),
  );
  const shape = {
    inputLength: data.inputLength,
    targetLength: data.targetLength,
    vocabSize: data.vocab.length,
  };
  const model = createRunModel(run.model.params, shape, opt.seed);
  const monitor = run.policy.name === 'none' ? 'em' : run.policy.monitor;
  const mode: Mode = run.policy.name === 'none' ? 'max' : run.policy.mode;
  const baseDropout = Number(run.model.params.dropout ?? 0);
  const schedule = createLrSchedule(run.lrSchedule, { baseLr: opt.lr, budgetTokens: run.budgetTokens, mode });
  const regularizer = run.regularization?.adaptive
    ? createRegularizer(run.regularization, { weightDecay: opt.weight_decay, dropout: baseDropout })
    : null;
  const validator = new IncrementalValidator(
    data.val,
    data,
    { enabled: (run.incrementalValidation ?? true) && monitor === 'em', maxExamples: run.evalMaxExamples },
    opt.seed,
  );
  const optimizer = new Optimizer(opt.optimizer, model.variables);
  return {
    data,
    model,
    optimizer,
    schedule,
    regularizer,
    validator,
    monitor,
    mode,
    batchSize: opt.batch_size,
    exampleTokens: data.train.reduce((most, e) => Math.max(most, exampleTokens(e)), 1),
    seed: opt.seed,
    baseDropout,
    baseWeightDecay: opt.weight_decay,
    dispose() {
      model.dispose();
      optimizer.dispose();
    },
  };
}
