import type { TransformerParams } from '@curfew/spec';
import * as tf from '@tensorflow/tfjs';
import { dense, dropout, glorot, zeros } from './init';
import { matMul2d } from './mat-mul';
import { type ApplyOptions, countParams, type Model, type ModelShape } from './model';

type Params = Pick<TransformerParams, 'd_model' | 'heads' | 'layers' | 'ff'>;

interface Block {
  ln1: [tf.Variable, tf.Variable];
  qkv: [tf.Variable, tf.Variable];
  out: [tf.Variable, tf.Variable];
  ln2: [tf.Variable, tf.Variable];
  ff1: [tf.Variable, tf.Variable];
  ff2: [tf.Variable, tf.Variable];
}

const ones = (size: number) => tf.variable(tf.ones([size]), true);

/** Layer normalisation over the last axis (learned gain and bias). */
function layerNorm(x: tf.Tensor3D, [gain, bias]: [tf.Variable, tf.Variable]): tf.Tensor3D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gain), bias) as tf.Tensor3D;
}

/** x [batch, seq, in] through a dense layer: [batch, seq, out]. */
function dense3(x: tf.Tensor3D, [w, b]: [tf.Variable, tf.Variable]): tf.Tensor3D {
  const [batch, seq, width] = x.shape;
  const y = dense(tf.reshape(x, [batch * seq, width]) as tf.Tensor2D, w, b);
  return tf.reshape(y, [batch, seq, w.shape[1] as number]);
}

/** [batch, seq, d] → [batch·heads, seq, d/heads], one attention problem per head. */
function splitHeads(x: tf.Tensor, batch: number, seq: number, heads: number, width: number): tf.Tensor3D {
  const perHead = tf.transpose(tf.reshape(x, [batch, seq, heads, width / heads]), [0, 2, 1, 3]);
  return tf.reshape(perHead, [batch * heads, seq, width / heads]);
}

/** Multi-head self-attention over every position (no causal mask: answers are read at once). */
function attention(x: tf.Tensor3D, block: Block, heads: number): tf.Tensor3D {
  const [batch, seq, width] = x.shape;
  const [q, k, v] = tf.split(dense3(x, block.qkv), 3, 2).map((t) => splitHeads(t, batch, seq, heads, width));
  const scores = tf.mul(
    tf.matMul(q as tf.Tensor3D, k as tf.Tensor3D, false, true),
    1 / Math.sqrt(width / heads),
  );
  const mixed = tf.matMul(tf.softmax(scores), v as tf.Tensor3D);
  const merged = tf.transpose(tf.reshape(mixed, [batch, heads, seq, width / heads]), [0, 2, 1, 3]);
  return dense3(tf.reshape(merged, [batch, seq, width]), block.out);
}

function createBlock(i: number, params: Params, seed: number, variables: Map<string, tf.Variable>): Block {
  const { d_model: d, ff } = params;
  const pair = (name: string, w: tf.Variable, b: tf.Variable): [tf.Variable, tf.Variable] => {
    variables.set(`b${i}/${name}/w`, w);
    variables.set(`b${i}/${name}/b`, b);
    return [w, b];
  };
  return {
    ln1: pair('ln1', ones(d), zeros('', d)),
    qkv: pair('qkv', glorot(`b${i}/qkv`, [d, 3 * d], seed), zeros('', 3 * d)),
    out: pair('out', glorot(`b${i}/out`, [d, d], seed), zeros('', d)),
    ln2: pair('ln2', ones(d), zeros('', d)),
    ff1: pair('ff1', glorot(`b${i}/ff1`, [d, ff], seed), zeros('', ff)),
    ff2: pair('ff2', glorot(`b${i}/ff2`, [ff, d], seed), zeros('', d)),
  };
}

/**
 * A small transformer that reads the input and answers every position at once: token embeddings
 * plus learned positions for the input, one learned query slot per answer position appended,
 * pre-norm blocks of multi-head self-attention and a ReLU feed-forward layer, and the answer
 * read from the query slots. Only ops whose gradients the wasm backend has: embeddings are
 * one-hot × matrix products, never gathers (no UnsortedSegmentSum kernel on wasm).
 */
export function createTransformer(params: Params, shape: ModelShape, seed: number): Model {
  const { inputLength, targetLength, vocabSize } = shape;
  const { d_model: d, heads, layers, ff } = params;
  const variables = new Map<string, tf.Variable>();
  const embed = glorot('embed', [vocabSize, d], seed);
  const positions = glorot('pos', [inputLength + targetLength, d], seed);
  variables.set('embed', embed);
  variables.set('pos', positions);
  const blocks = Array.from({ length: layers }, (_, i) => createBlock(i, params, seed, variables));
  const finalNorm: [tf.Variable, tf.Variable] = [ones(d), zeros('', d)];
  variables.set('ln/w', finalNorm[0]);
  variables.set('ln/b', finalNorm[1]);
  const outW = glorot('out/w', [d, vocabSize], seed);
  const outB = zeros('out/b', vocabSize);
  variables.set('out/w', outW);
  variables.set('out/b', outB);
  const seq = inputLength + targetLength;
  const blockMacs = seq * (4 * d * d + 2 * d * ff) + 2 * seq * seq * d;
  const macs = inputLength * vocabSize * d + layers * blockMacs + targetLength * d * vocabSize;

  return {
    family: 'transformer',
    variables,
    paramCount: countParams(variables),
    forwardFlopsPerExample: 2 * macs,
    apply(inputs: tf.Tensor3D, options: ApplyOptions): tf.Tensor3D {
      const batch = inputs.shape[0];
      const flat = tf.reshape(inputs, [batch * inputLength, vocabSize]) as tf.Tensor2D;
      const tokens = tf.reshape(matMul2d(flat, embed as tf.Tensor2D), [batch, inputLength, d]);
      // The answer slots start as zeros: their learned positions tell them apart.
      const slots = tf.zeros([batch, targetLength, d]);
      let x = tf.add(tf.concat([tokens, slots], 1), positions) as tf.Tensor3D;
      x = dropout(x, options.dropout, options.seed);
      blocks.forEach((block, i) => {
        const attended = attention(layerNorm(x, block.ln1), block, heads);
        x = tf.add(x, dropout(attended, options.dropout, options.seed + 2 * i + 1));
        const hidden = tf.relu(dense3(layerNorm(x, block.ln2), block.ff1));
        x = tf.add(x, dropout(dense3(hidden, block.ff2), options.dropout, options.seed + 2 * i + 2));
      });
      const answers = tf.slice(layerNorm(x, finalNorm), [0, inputLength, 0], [batch, targetLength, d]);
      const logits = dense(tf.reshape(answers, [batch * targetLength, d]) as tf.Tensor2D, outW, outB);
      return tf.reshape(logits, [batch, targetLength, vocabSize]);
    },
    dispose() {
      for (const v of variables.values()) v.dispose();
    },
  };
}
