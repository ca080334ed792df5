// A model of your own for curfew's built-in trainer (README, "Your own models"): a two-layer
// perceptron over the flattened one-hot input. curfew hands it the trainer's TensorFlow.js as
// `tf` (on the backend the worker chose), the run's params, the task's shapes and the run's seed.
export function createModel({ tf, params, shape, seed }) {
  const hidden = Number(params.hidden ?? 64);
  const inputs = shape.inputLength * shape.vocabSize;
  const outputs = shape.targetLength * shape.vocabSize;
  const init = (rows, cols, k) =>
    tf.variable(tf.randomNormal([rows, cols], 0, Math.sqrt(2 / rows), 'float32', seed * 10 + k));
  const variables = {
    w1: init(inputs, hidden, 1),
    b1: tf.variable(tf.zeros([hidden])),
    w2: init(hidden, outputs, 2),
    b2: tf.variable(tf.zeros([outputs])),
  };
  return {
    variables,
    apply(x, { dropout, seed: stepSeed }) {
      const batch = x.shape[0];
      let h = tf.relu(tf.add(tf.matMul(tf.reshape(x, [batch, inputs]), variables.w1), variables.b1));
      if (dropout > 0) h = tf.dropout(h, dropout, undefined, stepSeed);
      const logits = tf.add(tf.matMul(h, variables.w2), variables.b2);
      return tf.reshape(logits, [batch, shape.targetLength, shape.vocabSize]);
    },
    forwardFlopsPerExample: 2 * (inputs * hidden + hidden * outputs),
  };
}
