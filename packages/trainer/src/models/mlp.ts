import type { MlpParams } from '@curfew/spec';
import * as tf from '@tensorflow/tfjs';
import { dense, dropout, glorot, zeros } from './init';
import { type ApplyOptions, countParams, type Model, type ModelShape } from './model';

/** Multi-layer perceptron over the flattened one-hot input; one softmax per output position. */
export function createMlp(
  params: Pick<MlpParams, 'hidden' | 'layers'>,
  shape: ModelShape,
  seed: number,
): Model {
  const { inputLength, targetLength, vocabSize } = shape;
  const widths = [inputLength * vocabSize, ...Array<number>(params.layers).fill(params.hidden)];
  const variables = new Map<string, tf.Variable>();
  for (let i = 0; i + 1 < widths.length; i++) {
    const [fanIn, fanOut] = [widths[i] as number, widths[i + 1] as number];
    variables.set(`h${i}/w`, glorot(`h${i}/w`, [fanIn, fanOut], seed));
    variables.set(`h${i}/b`, zeros(`h${i}/b`, fanOut));
  }
  const last = widths[widths.length - 1] as number;
  variables.set('out/w', glorot('out/w', [last, targetLength * vocabSize], seed));
  variables.set('out/b', zeros('out/b', targetLength * vocabSize));
  let macs = 0;
  for (let i = 0; i + 1 < widths.length; i++) macs += (widths[i] as number) * (widths[i + 1] as number);
  macs += last * targetLength * vocabSize;

  const get = (name: string) => variables.get(name) as tf.Variable;
  return {
    family: 'mlp',
    variables,
    paramCount: countParams(variables),
    forwardFlopsPerExample: 2 * macs,
    apply(inputs: tf.Tensor3D, options: ApplyOptions): tf.Tensor3D {
      const batch = inputs.shape[0];
      let h = tf.reshape(inputs, [batch, inputLength * vocabSize]) as tf.Tensor2D;
      for (let i = 0; i < params.layers; i++) {
        h = dropout(tf.relu(dense(h, get(`h${i}/w`), get(`h${i}/b`))), options.dropout, options.seed + i);
      }
      return tf.reshape(dense(h, get('out/w'), get('out/b')), [batch, targetLength, vocabSize]);
    },
    dispose() {
      for (const v of variables.values()) v.dispose();
    },
  };
}
