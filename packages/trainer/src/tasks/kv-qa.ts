import type { KvQaParams, Rng } from '@curfew/spec';
import { TaskParamsError } from './errors.js';
import { randomInt, randomSymbols } from './random-sequence.js';
import { type InputSpace, inputKey, sampleSplit } from './sample-split.js';
import { contentSymbols, decodeIds, PAD_SYMBOL } from './symbols.js';
import type { Example, TaskData, TaskFamily } from './task.js';
import { measuredDefaults, PLATEAU_EXAMPLES } from './task-defaults.js';

/**
 * Layout (p = `pairs`, each key `key_length` symbols, each value `value_length` symbols):
 *
 *   input  k₁ : v₁ ; k₂ : v₂ ; … kₚ : vₚ ; ? kᵢ      target vᵢ
 *
 * Every fact takes the same `key_length + value_length + 2` positions, then `?` and the queried
 * key, one of the context's keys chosen uniformly. Keys are distinct within a context; values
 * need not be. Keys and values share the `vocab` content symbols.
 *
 * Vocab (v = `vocab`): id 0 pad, ids 1–v the symbols `a`, `b`, … (see symbols.ts), then `:`
 * (v + 1), `;` (v + 2) and `?` (v + 3). EM compares the symbol sequences.
 */
export function kvQaShape(params: KvQaParams): { inputLength: number; targetLength: number } {
  const fact = params.key_length + params.value_length + 2;
  return { inputLength: params.pairs * fact + 1 + params.key_length, targetLength: params.value_length };
}

function kvQaVocab(params: KvQaParams): string[] {
  return [PAD_SYMBOL, ...contentSymbols(params.vocab), ':', ';', '?'];
}

function drawKeys(rng: Rng, params: KvQaParams): number[][] {
  const keys: number[][] = [];
  const seen = new Set<string>();
  while (keys.length < params.pairs) {
    const key = randomSymbols(rng, params.key_length, params.vocab);
    const text = inputKey(key);
    if (seen.has(text)) continue;
    seen.add(text);
    keys.push(key);
  }
  return keys;
}

function drawKvQa(rng: Rng, params: KvQaParams): Example {
  const colon = params.vocab + 1;
  const semicolon = params.vocab + 2;
  const query = params.vocab + 3;
  const keys = drawKeys(rng, params);
  const values = keys.map(() => randomSymbols(rng, params.value_length, params.vocab));
  const asked = randomInt(rng, params.pairs);
  const input: number[] = [];
  keys.forEach((key, i) => {
    input.push(...key, colon, ...(values[i] ?? []), semicolon);
  });
  input.push(query, ...(keys[asked] ?? []));
  return { input, target: values[asked] ?? [] };
}

function kvQaSpace(params: KvQaParams): InputSpace {
  const keyCount = params.vocab ** params.key_length;
  if (keyCount < params.pairs) {
    throw new TaskParamsError(
      `task.params.pairs: kv-qa with key_length ${params.key_length} and vocab ${params.vocab} ` +
        `has only ${keyCount} distinct keys, asked for ${params.pairs} pairs (keys are distinct ` +
        'within a context); raise key_length or vocab, or lower pairs',
    );
  }
  let orderedKeys = 1;
  for (let i = 0; i < params.pairs; i++) orderedKeys *= keyCount - i;
  return {
    label:
      `kv-qa with pairs ${params.pairs}, key_length ${params.key_length}, ` +
      `value_length ${params.value_length} and vocab ${params.vocab}`,
    size: orderedKeys * params.vocab ** (params.value_length * params.pairs) * params.pairs,
    draw: (rng) => drawKvQa(rng, params),
  };
}

export const kvQaTask: TaskFamily<KvQaParams> = {
  name: 'kv-qa',
  generate(params: KvQaParams): TaskData {
    const { train, val } = sampleSplit('kv-qa', kvQaSpace(params), params);
    return { family: 'kv-qa', vocab: kvQaVocab(params), ...kvQaShape(params), train, val };
  },
  normalize(ids: readonly number[], data: TaskData): string {
    return decodeIds(ids, data.vocab).join(' ');
  },
  defaults(params: KvQaParams) {
    const { inputLength, targetLength } = kvQaShape(params);
    return measuredDefaults(inputLength + targetLength, PLATEAU_EXAMPLES['kv-qa']());
  },
};
