import * as tf from '@tensorflow/tfjs';

/**
 * a [m, k] @ b [k, n] whose gradients are plain products of explicitly transposed operands
 * (dy·bᵀ and aᵀ·dy) instead of TF.js's default matMul(…, transposeA/B). The WebAssembly
 * backend runs a transposed matMul about 10× slower than a plain one (bench/training-efficiency.ts),
 * and two of a layer's three products in training are transposed; a transpose costs O(m·k).
 */
export const matMul2d = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(w)), tf.matMul(tf.transpose(x), dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
  a: tf.Tensor2D,
  b: tf.Tensor2D,
) => tf.Tensor2D;
