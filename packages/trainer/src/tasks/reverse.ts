import type { ReverseParams } from '@curfew/spec';
import { randomSymbols } from './random-sequence.js';
import { type InputSpace, sampleSplit } from './sample-split.js';
import { contentSymbols, decodeIds, PAD_SYMBOL } from './symbols.js';
import type { TaskData, TaskFamily } from './task.js';
import { measuredDefaults, PLATEAU_EXAMPLES } from './task-defaults.js';

/**
 * Layout (n = `length`, v = `vocab`):
 *
 *   input  x₁ x₂ … xₙ     target xₙ … x₂ x₁
 *
 * Vocab: id 0 pad, ids 1–v the symbols `a`, `b`, … (see symbols.ts). No separator: input and
 * target have fixed lengths. EM compares the symbol sequences.
 */
export function reverseShape(params: ReverseParams): { inputLength: number; targetLength: number } {
  return { inputLength: params.length, targetLength: params.length };
}

function reverseSpace(params: ReverseParams): InputSpace {
  return {
    label: `reverse with length ${params.length} and vocab ${params.vocab}`,
    size: params.vocab ** params.length,
    draw(rng) {
      const input = randomSymbols(rng, params.length, params.vocab);
      return { input, target: input.slice().reverse() };
    },
  };
}

export const reverseTask: TaskFamily<ReverseParams> = {
  name: 'reverse',
  generate(params: ReverseParams): TaskData {
    const { train, val } = sampleSplit('reverse', reverseSpace(params), params);
    const vocab = [PAD_SYMBOL, ...contentSymbols(params.vocab)];
    return { family: 'reverse', vocab, ...reverseShape(params), train, val };
  },
  normalize(ids: readonly number[], data: TaskData): string {
    return decodeIds(ids, data.vocab).join(' ');
  },
  defaults(params: ReverseParams) {
    const { inputLength, targetLength } = reverseShape(params);
    return measuredDefaults(inputLength + targetLength, PLATEAU_EXAMPLES.reverse(params));
  },
};
