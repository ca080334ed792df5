import type { AddParams, Rng } from '@curfew/spec';
import { randomInt } from './random-sequence.js';
import { type InputSpace, sampleSplit } from './sample-split.js';
import { decodeIds, PAD_SYMBOL } from './symbols.js';
import type { Example, TaskData, TaskFamily } from './task.js';
import { measuredDefaults, PLATEAU_EXAMPLES } from './task-defaults.js';

/**
 * Layout (d = `digits`), every number least-significant digit first:
 *
 *   input  a₀ a₁ … a_{d-1} + b₀ b₁ … b_{d-1}     (2d + 1 tokens)
 *   target s₀ s₁ … s_d                            (d + 1 tokens)
 *
 * Operands keep their leading zeros (fixed width d) and the sum is written on d + 1 digits, so
 * every position always carries the same place value: input positions i and d + 1 + i and output
 * position i all mean 10^i. Least significant first puts the carry chain in reading order:
 * digit i depends on positions ≤ i only. Both choices matter for a non-autoregressive model,
 * which predicts each output position independently and cannot count where a shifted or
 * reversed number starts. EM compares numbers: pads and leading zeros are dropped, so `070`
 * (LSB first) and `07` both read 70.
 *
 * Vocab: id 0 pad, ids 1–10 the digits 0–9 (digit + 1), id 11 `+`.
 */
const DIGIT_ID = 1;
const PLUS_ID = 11;
const ADD_VOCAB = [PAD_SYMBOL, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+'] as const;

export function addShape(params: AddParams): { inputLength: number; targetLength: number } {
  return { inputLength: 2 * params.digits + 1, targetLength: params.digits + 1 };
}

function drawAdd(rng: Rng, digits: number): Example {
  const a: number[] = [];
  const b: number[] = [];
  const sum: number[] = [];
  let carry = 0;
  for (let i = 0; i < digits; i++) {
    const x = randomInt(rng, 10);
    const y = randomInt(rng, 10);
    a.push(DIGIT_ID + x);
    b.push(DIGIT_ID + y);
    sum.push(DIGIT_ID + ((x + y + carry) % 10));
    carry = x + y + carry >= 10 ? 1 : 0;
  }
  sum.push(DIGIT_ID + carry);
  return { input: [...a, PLUS_ID, ...b], target: sum };
}

function addSpace(params: AddParams): InputSpace {
  return {
    label: `add with digits ${params.digits}`,
    size: 100 ** params.digits,
    draw: (rng) => drawAdd(rng, params.digits),
  };
}

export const addTask: TaskFamily<AddParams> = {
  name: 'add',
  generate(params: AddParams): TaskData {
    const { train, val } = sampleSplit('add', addSpace(params), params);
    return { family: 'add', vocab: ADD_VOCAB, ...addShape(params), train, val };
  },
  normalize(ids: readonly number[], data: TaskData): string {
    // Most significant first, without leading zeros; an empty answer stays empty.
    return decodeIds(ids, data.vocab)
      .reverse()
      .join('')
      .replace(/^0+(?=.)/, '');
  },
  defaults(params: AddParams) {
    const { inputLength, targetLength } = addShape(params);
    return measuredDefaults(inputLength + targetLength, PLATEAU_EXAMPLES.add(params));
  },
};
