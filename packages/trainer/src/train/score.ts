import * as tf from '@tensorflow/tfjs';
import type { Model } from '../models/model';
import { exactMatch } from '../tasks/em';
import { normalizerOf } from '../tasks/registry';
import type { Example, TaskData } from '../tasks/task';
import { crossEntropy, encodeInputs, encodeTargets } from './encode';

/** Scores of a set of examples: counts, so partial scores add up. */
export interface ExampleScores {
  examples: number;
  /** Exact matches. */
  correct: number;
  /** Summed mean-per-position cross-entropy of each example. */
  lossSum: number;
  /** Input + target tokens scored (validation tokens). */
  tokens: number;
}

export const EMPTY_SCORES: ExampleScores = { examples: 0, correct: 0, lossSum: 0, tokens: 0 };

export function addScores(a: ExampleScores, b: ExampleScores): ExampleScores {
  return {
    examples: a.examples + b.examples,
    correct: a.correct + b.correct,
    lossSum: a.lossSum + b.lossSum,
    tokens: a.tokens + b.tokens,
  };
}

/** Largest batch scored at once (bounds memory on big validation sets). */
const SCORE_BATCH = 256;

/** EM and loss of `examples` under the model at evaluation (no dropout). */
export function scoreExamples(model: Model, examples: readonly Example[], data: TaskData): ExampleScores {
  let scores = EMPTY_SCORES;
  for (let start = 0; start < examples.length; start += SCORE_BATCH) {
    const batch = examples.slice(start, start + SCORE_BATCH);
    const [predicted, loss] = tf.tidy(() => {
      const logits = model.apply(encodeInputs(batch, data), { dropout: 0, seed: 0 });
      const lossValue = crossEntropy(logits, encodeTargets(batch, data)).dataSync()[0] as number;
      return [tf.argMax(logits, 2).arraySync() as number[][], lossValue] as const;
    });
    let correct = 0;
    let tokens = 0;
    const family = normalizerOf(data);
    batch.forEach((example, i) => {
      if (exactMatch(predicted[i] ?? [], example, family, data)) correct += 1;
      tokens += example.input.length + example.target.length;
    });
    scores = addScores(scores, { examples: batch.length, correct, lossSum: loss * batch.length, tokens });
  }
  return scores;
}
