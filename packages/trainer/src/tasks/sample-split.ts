import { createRng, type Rng } from '@curfew/spec';
import { TaskParamsError } from './errors.js';
import type { Example } from './task.js';

/** The inputs a family can generate for given parameters. */
export interface InputSpace {
  /** The family and the parameters that bound the space, e.g. `reverse with length 2 and vocab 2`. */
  label: string;
  /** Number of distinct inputs; a float beyond 2^53, where exactness no longer matters. */
  size: number;
  /** One example whose input is uniform over the space. */
  draw(rng: Rng): Example;
}

/** The dataset parameters every family shares (see `@curfew/spec` task-families). */
export interface SplitParams {
  train_examples: number;
  val_examples: number;
  seed: number;
}

/** Train and val examples: every input distinct, and none in both. */
export interface Split {
  train: Example[];
  val: Example[];
}

/** Throws a {@link TaskParamsError} naming the parameter when the space cannot hold the split. */
export function checkSpaceFits(space: InputSpace, params: SplitParams): void {
  const { size } = space;
  if (params.train_examples > size) {
    throw new TaskParamsError(
      `task.params.train_examples: ${space.label} has only ${size} distinct inputs, ` +
        `asked for ${params.train_examples}`,
    );
  }
  if (params.train_examples + params.val_examples > size) {
    throw new TaskParamsError(
      `task.params.val_examples: ${space.label} has only ${size} distinct inputs and ` +
        `train_examples takes ${params.train_examples}, leaving ${size - params.train_examples} ` +
        `for validation, asked for ${params.val_examples}`,
    );
  }
}

/**
 * Draws the train and val sets of a family. Train and val come from two seeded streams
 * (`task:FAMILY:SEED:train` and `…:val`), so the val set of a seed does not depend on
 * `train_examples` (beyond the inputs train took) and a larger train set extends a smaller one.
 * Inputs are distinct within train and val and across both (rejection sampling: near-full spaces
 * cost more draws, at most about size × ln(size)).
 */
export function sampleSplit(family: string, space: InputSpace, params: SplitParams): Split {
  checkSpaceFits(space, params);
  const seen = new Set<string>();
  const stream = (part: string) => createRng(`task:${family}:${params.seed}:${part}`);
  const train = drawDistinct(stream('train'), space, params.train_examples, seen);
  const val = drawDistinct(stream('val'), space, params.val_examples, seen);
  return { train, val };
}

function drawDistinct(rng: Rng, space: InputSpace, count: number, seen: Set<string>): Example[] {
  const out: Example[] = [];
  while (out.length < count) {
    const example = space.draw(rng);
    const key = inputKey(example.input);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(example);
  }
  return out;
}

/** A compact string key of an input (ids are far below 2^16). */
export function inputKey(input: readonly number[]): string {
  return String.fromCharCode(...input);
}
