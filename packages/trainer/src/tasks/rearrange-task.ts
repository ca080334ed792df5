import type { ReverseParams, SortParams } from '@curfew/spec';
import { randomSymbols } from './random-sequence.js';
import { type InputSpace, sampleSplit } from './sample-split.js';
import { contentSymbols, decodeIds, PAD_SYMBOL } from './symbols.js';
import type { TaskData, TaskFamily } from './task.js';
import { measuredDefaults, PLATEAU_EXAMPLES } from './task-defaults.js';

/** Params of a family whose target rearranges its input (reverse and sort take the same ones). */
type RearrangeParams = ReverseParams & SortParams;

/** Input and target both have `length` symbols: no separator, fixed lengths. */
export function rearrangeShape(params: Pick<RearrangeParams, 'length'>): {
  inputLength: number;
  targetLength: number;
} {
  return { inputLength: params.length, targetLength: params.length };
}

/**
 * A family whose example is `length` random symbols of `vocab` and whose target is the same
 * symbols rearranged by `rearrange`. Vocab: id 0 pad, ids 1–v the symbols `a`, `b`, … in id
 * order (see symbols.ts). EM compares the symbol sequences.
 */
export function rearrangeTask(
  name: 'reverse' | 'sort',
  rearrange: (input: readonly number[]) => number[],
): TaskFamily<RearrangeParams> {
  return {
    name,
    generate(params: RearrangeParams): TaskData {
      const space: InputSpace = {
        label: `${name} with length ${params.length} and vocab ${params.vocab}`,
        size: params.vocab ** params.length,
        draw(rng) {
          const input = randomSymbols(rng, params.length, params.vocab);
          return { input, target: rearrange(input) };
        },
      };
      const { train, val } = sampleSplit(name, space, params);
      const vocab = [PAD_SYMBOL, ...contentSymbols(params.vocab)];
      return { family: name, vocab, ...rearrangeShape(params), train, val };
    },
    normalize(ids: readonly number[], data: TaskData): string {
      return decodeIds(ids, data.vocab).join(' ');
    },
    defaults(params: RearrangeParams) {
      const { inputLength, targetLength } = rearrangeShape(params);
      return measuredDefaults(inputLength + targetLength, PLATEAU_EXAMPLES[name](params));
    },
  };
}
