import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ParamValue } from '@curfew/spec';
import * as tf from '@tensorflow/tfjs';
import { ModelFamilyError } from './create-model';
import { type ApplyOptions, countParams, type Model, type ModelShape } from './model';

/** Builds a run's model from its params, the task's shapes and the run's seed. */
export type ModelFactory = (
  params: Readonly<Record<string, ParamValue>>,
  shape: ModelShape,
  seed: number,
) => Model;

/**
 * What a model module exports (README, "Your own models"): `createModel({ tf, params, shape,
 * seed })` returning `{ variables, apply, forwardFlopsPerExample?, dispose? }`:
 * - `tf`: the trainer's TensorFlow.js, on the backend the worker chose (use it, not an import of
 *   your own, or your tensors live on another copy of the library);
 * - `variables`: the trainable `tf.Variable`s, as a Map or an object of name → variable (they
 *   are checkpointed by name);
 * - `apply(inputs, { dropout, seed })`: one-hot inputs [batch, inputLength, vocabSize] → logits
 *   [batch, targetLength, vocabSize];
 * - `forwardFlopsPerExample` (optional): for the run's GFLOP figures.
 */
export interface ModelModule {
  createModel(args: {
    tf: typeof tf;
    params: Readonly<Record<string, ParamValue>>;
    shape: ModelShape;
    seed: number;
  }): {
    variables: ReadonlyMap<string, tf.Variable> | Readonly<Record<string, tf.Variable>>;
    apply(inputs: tf.Tensor3D, options: ApplyOptions): tf.Tensor3D;
    forwardFlopsPerExample?: number;
    dispose?(): void;
  };
}

const EXPECTED = 'export function createModel({ tf, params, shape, seed }) returning { variables, apply }';

function variablesOf(where: string, made: unknown): Map<string, tf.Variable> {
  const raw = (made as { variables?: unknown }).variables;
  const entries =
    raw instanceof Map
      ? [...raw.entries()]
      : typeof raw === 'object' && raw !== null
        ? Object.entries(raw)
        : [];
  if (entries.length === 0)
    throw new ModelFamilyError(
      `${where}.variables: expected a Map or object of name → tf.Variable, got none`,
    );
  for (const [name, v] of entries)
    if (!(v instanceof tf.Variable))
      throw new ModelFamilyError(
        `${where}.variables.${name}: expected a tf.Variable made with the tf it was given, got ${typeof v}`,
      );
  return new Map(entries as [string, tf.Variable][]);
}

/** Imports a model module; every error names the module and what is wrong. */
export async function loadModelModule(module: string): Promise<ModelFactory> {
  const file = path.resolve(module);
  let mod: Partial<ModelModule>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Partial<ModelModule>;
  } catch (error) {
    throw new ModelFamilyError(
      `model.module: cannot import ${file} (${(error as Error).message.split('\n')[0]})`,
    );
  }
  const create = mod.createModel;
  if (typeof create !== 'function')
    throw new ModelFamilyError(`model.module: ${file} has no export createModel (expected ${EXPECTED})`);
  return (params, shape, seed) => {
    const where = `model.module: ${file}: createModel(…)`;
    let made: ReturnType<ModelModule['createModel']>;
    try {
      made = create({ tf, params, shape, seed });
    } catch (error) {
      throw new ModelFamilyError(`${where} threw: ${(error as Error).message}`);
    }
    if (typeof made !== 'object' || made === null || typeof made.apply !== 'function')
      throw new ModelFamilyError(`${where}: expected an object with apply(inputs, options) (${EXPECTED})`);
    const variables = variablesOf(where, made);
    const flops = made.forwardFlopsPerExample;
    return {
      family: 'module',
      variables,
      apply: (inputs, options) => made.apply(inputs, options),
      paramCount: countParams(variables),
      forwardFlopsPerExample: typeof flops === 'number' && Number.isFinite(flops) && flops >= 0 ? flops : 0,
      dispose() {
        if (typeof made.dispose === 'function') made.dispose();
        else for (const v of variables.values()) v.dispose();
      },
    };
  };
}
