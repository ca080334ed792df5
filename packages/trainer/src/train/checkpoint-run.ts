import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointError, readBundle, writeBundle } from '../checkpoint/checkpoint-files';
import type { Model } from '../models/model';
import type { OptimizerState } from '../optim/optimizer';
import type { RunSetup } from './run-setup';
import type { RunState } from './run-state';
import type { TrainRun } from './types';

interface LatestMeta {
  runId: string;
  /** The run's configuration when the checkpoint was written: resuming under another is refused. */
  config: string;
  state: RunState;
  optimizer: { name: OptimizerState['name']; iterations: number };
}

/** Model weights and optimizer slots as one bundle of named arrays. */
function collect(setup: RunSetup): Map<string, Float32Array> {
  const arrays = new Map<string, Float32Array>();
  for (const [key, variable] of setup.model.variables)
    arrays.set(`w:${key}`, variable.dataSync() as Float32Array);
  const optimizer = setup.optimizer.snapshot();
  for (const [key, slots] of Object.entries(optimizer.slots)) {
    for (const [slot, values] of Object.entries(slots)) arrays.set(`o:${key}:${slot}`, values);
  }
  return arrays;
}

/** Writes the run's latest checkpoint (weights, optimizer, policy, data cursor, evals); returns bytes. */
export async function saveLatest(
  dir: string,
  run: TrainRun,
  setup: RunSetup,
  state: RunState,
): Promise<number> {
  const { name, iterations } = setup.optimizer.snapshot();
  const meta: LatestMeta = {
    runId: run.runId,
    config: configOf(run),
    state,
    optimizer: { name, iterations },
  };
  return writeBundle(dir, 'latest', meta, collect(setup));
}

/** Restores the latest checkpoint into `setup`; returns its state, or null when there is none. */
export async function loadLatest(dir: string, run: TrainRun, setup: RunSetup): Promise<RunState | null> {
  const bundle = await readBundle<LatestMeta>(dir, 'latest');
  if (!bundle) return null;
  const where = join(dir, 'latest.json');
  if (bundle.meta.runId !== run.runId) {
    throw new CheckpointError(`${where}: checkpoint of run ${bundle.meta.runId}, not ${run.runId}`);
  }
  if (bundle.meta.config !== configOf(run)) {
    throw new CheckpointError(
      `${where}: run ${run.runId} was checkpointed with another configuration; delete ${dir} to train it afresh`,
    );
  }
  setWeights(setup.model, bundle.arrays);
  const slots: OptimizerState['slots'] = {};
  for (const [key, values] of bundle.arrays) {
    const match = /^o:(.+):([^:]+)$/.exec(key);
    if (!match) continue;
    const [, variable, slot] = match as unknown as [string, string, string];
    slots[variable] = { ...slots[variable], [slot]: values };
  }
  setup.optimizer.restore({ ...bundle.meta.optimizer, slots });
  return bundle.meta.state;
}

/** Writes the best checkpoint's weights (the model a user would ship). */
export async function saveBest(
  dir: string,
  runId: string,
  weights: ReadonlyMap<string, Float32Array>,
  meta: object,
) {
  const arrays = new Map([...weights].map(([k, v]) => [`w:${k}`, v] as const));
  return writeBundle(dir, 'best', { runId, ...meta }, arrays);
}

export function setWeights(model: Model, arrays: ReadonlyMap<string, Float32Array>): void {
  for (const [key, variable] of model.variables) {
    const values = arrays.get(`w:${key}`) ?? arrays.get(key);
    if (!values || values.length !== variable.size) throw new Error(`checkpoint lacks weights ${key}`);
    tf.tidy(() => variable.assign(tensorLike(variable, values)));
  }
}

export function readWeights(model: Model): Map<string, Float32Array> {
  return new Map([...model.variables].map(([k, v]) => [k, (v.dataSync() as Float32Array).slice()] as const));
}

function tensorLike(variable: tf.Variable, values: Float32Array): tf.Tensor {
  return tf.tensor(values, variable.shape, 'float32');
}

/** What must not change between a checkpoint and its resumption (everything but the id). */
function configOf(run: TrainRun): string {
  const { runId: _id, features: _features, ...config } = run;
  return JSON.stringify(config);
}
