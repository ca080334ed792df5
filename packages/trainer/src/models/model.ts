import type * as tf from '@tensorflow/tfjs';

/** Shapes a model is built for, from the task's data. */
export interface ModelShape {
  /** Input positions (padded). */
  inputLength: number;
  /** Output positions (padded). */
  targetLength: number;
  /** Token ids 0..vocabSize-1. */
  vocabSize: number;
}

export interface ApplyOptions {
  /** Dropout rate in training, 0 at evaluation. */
  dropout: number;
  /** Seed of this step's dropout masks, so a resumed run draws the same masks. */
  seed: number;
}

/**
 * A model as explicit named variables and a forward function: weights and optimizer state are
 * plain arrays to checkpoint, and no op needs a kernel the wasm backend lacks (inputs arrive
 * one-hot, so embeddings are matmuls, not gathers with an UnsortedSegmentSum gradient).
 */
export interface Model {
  readonly family: string;
  /** Trainable variables by name, in a fixed order. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** One-hot inputs [batch, inputLength, vocab] → logits [batch, targetLength, vocab]. */
  apply(inputs: tf.Tensor3D, options: ApplyOptions): tf.Tensor3D;
  /** Number of trainable parameters. */
  readonly paramCount: number;
  /** Floating-point operations of one example's forward pass (multiply-adds count 2). */
  readonly forwardFlopsPerExample: number;
  dispose(): void;
}

export function countParams(variables: ReadonlyMap<string, tf.Variable>): number {
  let count = 0;
  for (const v of variables.values()) count += v.size;
  return count;
}
