import type { GruParams } from '@curfew/spec';
import * as tf from '@tensorflow/tfjs';
import {
  createGruLayer,
  gruProjectedSequence,
  gruSequence,
  gruSharedProjection,
  gruStepMacs,
} from './gru-cell';
import { dense, dropout, glorot, zeros } from './init';
import { matMul2d } from './mat-mul';
import { type ApplyOptions, countParams, type Model, type ModelShape } from './model';

type Params = Pick<GruParams, 'units' | 'embedding' | 'layers'>;

/**
 * Embedding + GRU encoder, and a GRU decoder that attends to the encoder states (dot-product
 * attention) and emits every answer position at once: a learned position embedding is the
 * decoder's input, the encoder's last state its initial state.
 */
export function createGru(params: Params, shape: ModelShape, seed: number): Model {
  const { inputLength, targetLength, vocabSize } = shape;
  const { units, embedding, layers } = params;
  const variables = new Map<string, tf.Variable>();
  const embed = glorot('embed', [vocabSize, embedding], seed);
  variables.set('embed', embed);
  const encoder = Array.from({ length: layers }, (_, i) =>
    createGruLayer(`enc${i}`, i === 0 ? embedding : units, units, seed, variables),
  );
  const positions = glorot('dec/pos', [targetLength, embedding], seed);
  variables.set('dec/pos', positions);
  const decoder = createGruLayer('dec', embedding, units, seed, variables);
  const outW = glorot('out/w', [2 * units, vocabSize], seed);
  const outB = zeros('out/b', vocabSize);
  variables.set('out/w', outW);
  variables.set('out/b', outB);

  const encoderMacs = encoder.reduce((sum, _, i) => sum + gruStepMacs(i === 0 ? embedding : units, units), 0);
  const macs =
    inputLength * (vocabSize * embedding + encoderMacs) +
    targetLength * (gruStepMacs(embedding, units) + 2 * inputLength * units + 2 * units * vocabSize);

  return {
    family: 'gru',
    variables,
    paramCount: countParams(variables),
    forwardFlopsPerExample: 2 * macs,
    apply(inputs: tf.Tensor3D, options: ApplyOptions): tf.Tensor3D {
      const batch = inputs.shape[0];
      const flat = tf.reshape(inputs, [batch * inputLength, vocabSize]) as tf.Tensor2D;
      let xs = tf.reshape(matMul2d(flat, embed as tf.Tensor2D), [
        batch,
        inputLength,
        embedding,
      ]) as tf.Tensor3D;
      xs = dropout(xs, options.dropout, options.seed);
      for (const layer of encoder) xs = gruSequence(layer, xs);
      const encoded = dropout(xs, options.dropout, options.seed + 1);
      const last = tf.reshape(tf.slice(xs, [0, inputLength - 1, 0], [batch, 1, units]), [batch, units]);
      const states = gruProjectedSequence(
        decoder,
        gruSharedProjection(decoder, positions as tf.Tensor2D),
        last as tf.Tensor2D,
      );
      // Attention: scores [batch, target, input] = states · encodedᵀ.
      const weights = tf.softmax(tf.matMul(states, encoded, false, true));
      const context = tf.matMul(weights, encoded) as tf.Tensor3D;
      const features = dropout(tf.concat([states, context], 2), options.dropout, options.seed + 2);
      const logits = dense(
        tf.reshape(features, [batch * targetLength, 2 * units]) as tf.Tensor2D,
        outW,
        outB,
      );
      return tf.reshape(logits, [batch, targetLength, vocabSize]);
    },
    dispose() {
      for (const v of variables.values()) v.dispose();
    },
  };
}
