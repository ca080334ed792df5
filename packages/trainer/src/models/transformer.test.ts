import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select-backend';
import { createModel, ModelFamilyError } from './create-model';

const shape = { inputLength: 5, targetLength: 3, vocabSize: 7 };
const params = { d_model: 16, heads: 2, layers: 2, ff: 32, dropout: 0 };

beforeAll(async () => {
  await selectBackend('wasm');
});

/** A batch of one-hot inputs and the targets' one-hot answers. */
function batch(size: number) {
  const ids = Array.from({ length: size * shape.inputLength }, (_, i) => (i * 3) % shape.vocabSize);
  const inputs = tf.oneHot(
    tf.tensor2d(ids, [size, shape.inputLength], 'int32'),
    shape.vocabSize,
  ) as tf.Tensor3D;
  const answers = Array.from({ length: size * shape.targetLength }, (_, i) => (i * 5 + 1) % shape.vocabSize);
  const targets = tf.oneHot(tf.tensor2d(answers, [size, shape.targetLength], 'int32'), shape.vocabSize);
  return { inputs, targets };
}

describe('transformer', () => {
  it('maps one-hot inputs to logits for every answer position, with gradients for every weight on wasm', () => {
    const model = createModel('transformer', params, shape, 1);
    const { inputs, targets } = batch(4);
    try {
      const logits = model.apply(inputs, { dropout: 0, seed: 0 });
      expect(logits.shape).toEqual([4, 3, 7]);
      const loss = () =>
        tf.losses.softmaxCrossEntropy(targets, model.apply(inputs, { dropout: 0.1, seed: 3 })) as tf.Scalar;
      const { grads } = tf.variableGrads(loss, [...model.variables.values()]);
      const names = [...model.variables.keys()];
      expect(Object.keys(grads)).toHaveLength(names.length);
      for (const grad of Object.values(grads))
        expect(Number.isFinite(tf.sum(tf.abs(grad)).dataSync()[0])).toBe(true);
      expect(model.paramCount).toBe([...model.variables.values()].reduce((n, v) => n + v.size, 0));
      expect(model.forwardFlopsPerExample).toBeGreaterThan(0);
    } finally {
      model.dispose();
      tf.dispose([inputs, targets]);
    }
  });

  it('is the same model for the same seed, and another for another seed', () => {
    const models = [1, 1, 2].map((seed) => createModel('transformer', params, shape, seed));
    const [a, b, c] = models.map((m) => Array.from((m.variables.get('b0/qkv/w') as tf.Variable).dataSync()));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const m of models) m.dispose();
  });

  it('refuses heads that do not divide d_model', () => {
    expect(() => createModel('transformer', { ...params, heads: 3 }, shape, 0)).toThrow(ModelFamilyError);
  });
});
