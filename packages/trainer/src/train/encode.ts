import * as tf from '@tensorflow/tfjs';
import type { Example, TaskData } from '../tasks/task';

/** One-hot inputs [batch, inputLength, vocab]; padding positions are the PAD token's one-hot. */
export function encodeInputs(examples: readonly Example[], data: TaskData): tf.Tensor3D {
  return oneHot(
    examples.map((e) => e.input),
    data.inputLength,
    data.vocab.length,
  );
}

/** One-hot targets [batch, targetLength, vocab], padded with PAD (which the model must predict). */
export function encodeTargets(examples: readonly Example[], data: TaskData): tf.Tensor3D {
  return oneHot(
    examples.map((e) => e.target),
    data.targetLength,
    data.vocab.length,
  );
}

function oneHot(sequences: readonly (readonly number[])[], length: number, vocab: number): tf.Tensor3D {
  const values = new Float32Array(sequences.length * length * vocab);
  sequences.forEach((sequence, row) => {
    for (let position = 0; position < length; position++) {
      const id = sequence[position] ?? 0;
      values[(row * length + position) * vocab + id] = 1;
    }
  });
  return tf.tensor3d(values, [sequences.length, length, vocab]);
}

/** Mean cross-entropy per output position, as a scalar. */
export function crossEntropy(logits: tf.Tensor3D, targets: tf.Tensor3D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1))) as tf.Scalar;
}
