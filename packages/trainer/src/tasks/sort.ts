import type { SortParams } from '@curfew/spec';
import { randomSymbols } from './random-sequence.js';
import { type InputSpace, sampleSplit } from './sample-split.js';
import { contentSymbols, decodeIds, PAD_SYMBOL } from './symbols.js';
import type { TaskData, TaskFamily } from './task.js';
import { measuredDefaults, PLATEAU_EXAMPLES } from './task-defaults.js';

/**
 * Layout (n = `length`, v = `vocab`):
 *
 *   input  x₁ x₂ … xₙ     target the same symbols in ascending id order (duplicates kept)
 *
 * Vocab: id 0 pad, ids 1–v the symbols `a`, `b`, … in sort order (see symbols.ts). No separator:
 * input and target have fixed lengths. EM compares the symbol sequences.
 */
export function sortShape(params: SortParams): { inputLength: number; targetLength: number } {
  return { inputLength: params.length, targetLength: params.length };
}

function sortSpace(params: SortParams): InputSpace {
  return {
    label: `sort with length ${params.length} and vocab ${params.vocab}`,
    size: params.vocab ** params.length,
    draw(rng) {
      const input = randomSymbols(rng, params.length, params.vocab);
      return { input, target: input.slice().sort((x, y) => x - y) };
    },
  };
}

export const sortTask: TaskFamily<SortParams> = {
  name: 'sort',
  generate(params: SortParams): TaskData {
    const { train, val } = sampleSplit('sort', sortSpace(params), params);
    const vocab = [PAD_SYMBOL, ...contentSymbols(params.vocab)];
    return { family: 'sort', vocab, ...sortShape(params), train, val };
  },
  normalize(ids: readonly number[], data: TaskData): string {
    return decodeIds(ids, data.vocab).join(' ');
  },
  defaults(params: SortParams) {
    const { inputLength, targetLength } = sortShape(params);
    return measuredDefaults(inputLength + targetLength, PLATEAU_EXAMPLES.sort(params));
  },
};
