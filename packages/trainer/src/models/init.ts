import { createRng } from '@curfew/spec';
import * as tf from '@tensorflow/tfjs';
import { matMul2d } from './mat-mul';

/**
 * Glorot-uniform weights drawn from our own seeded generator, so initial weights are identical on
 * every backend and every machine for the same seed and name.
 */
export function glorot(name: string, shape: [number, number], seed: number): tf.Variable {
  const [fanIn, fanOut] = shape;
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const rng = createRng(`init:${seed}:${name}`);
  const values = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < values.length; i++) values[i] = (rng() * 2 - 1) * limit;
  // Unnamed: TF.js variable names are global to the process, and one worker trains many runs.
  return tf.variable(tf.tensor2d(values, shape), true);
}

export function zeros(_name: string, size: number): tf.Variable {
  return tf.variable(tf.zeros([size]), true);
}

/** Dropout that is a no-op at rate 0 (evaluation). */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  return rate > 0 ? (tf.dropout(x, rate, undefined, seed) as T) : x;
}

/** x [..., in] @ w [in, out] + b, for a rank-2 x. */
export function dense(x: tf.Tensor2D, w: tf.Variable, b: tf.Variable): tf.Tensor2D {
  return tf.add(matMul2d(x, w as tf.Tensor2D), b) as tf.Tensor2D;
}
