import { KvQaParams } from '@curfew/spec';
import { describe, expect, it } from 'vitest';
import { kvQaTask } from './kv-qa.js';
import { allExamples, decodeExample } from './test-support.js';

const generate = (params: Partial<KvQaParams>) => kvQaTask.generate(KvQaParams.parse(params));

/** `k:v;` facts of a decoded input, then the queried key. */
function parseContext(input: readonly string[], params: KvQaParams) {
  const fact = params.key_length + params.value_length + 2;
  const facts = new Map<string, string>();
  for (let i = 0; i < params.pairs; i++) {
    const cells = input.slice(i * fact, (i + 1) * fact);
    expect(cells[params.key_length]).toBe(':');
    expect(cells[fact - 1]).toBe(';');
    const key = cells.slice(0, params.key_length).join(' ');
    expect(facts.has(key)).toBe(false);
    facts.set(key, cells.slice(params.key_length + 1, fact - 1).join(' '));
  }
  expect(input[params.pairs * fact]).toBe('?');
  return { facts, query: input.slice(params.pairs * fact + 1).join(' ') };
}

describe('kv-qa', () => {
  it('asks a key of the context, with distinct keys, and targets its value, for every example', () => {
    const params = KvQaParams.parse({ pairs: 5, key_length: 2, value_length: 3, vocab: 6 });
    const data = kvQaTask.generate({ ...params, train_examples: 400, val_examples: 100 });
    expect(data.inputLength).toBe(5 * 7 + 1 + 2);
    expect(data.targetLength).toBe(3);
    for (const example of allExamples(data)) {
      const { input, target } = decodeExample(example, data);
      expect(input).toHaveLength(data.inputLength);
      const { facts, query } = parseContext(input, params);
      expect(facts.get(query)).toBe(target.join(' '));
    }
  });

  it('asks about every position of the context', () => {
    const params = KvQaParams.parse({ pairs: 4, train_examples: 400, val_examples: 10 });
    const data = kvQaTask.generate(params);
    const asked = new Set(
      data.train.map((example) => {
        const { input } = decodeExample(example, data);
        const { facts, query } = parseContext(input, params);
        return [...facts.keys()].indexOf(query);
      }),
    );
    expect([...asked].sort((x, y) => x - y)).toEqual([0, 1, 2, 3]);
  });

  it('gives separators their own ids after the content symbols', () => {
    const data = generate({ vocab: 3, train_examples: 1, val_examples: 1, pairs: 2, key_length: 1 });
    expect(data.vocab).toEqual(['<pad>', 'a', 'b', 'c', ':', ';', '?']);
  });

  it('refuses more pairs than distinct keys', () => {
    expect(() => generate({ pairs: 5, key_length: 1, vocab: 4 })).toThrow(
      /^task\.params\.pairs: kv-qa with key_length 1 and vocab 4 has only 4 distinct keys, asked for 5 pairs/,
    );
  });

  it('counts the inputs of a tiny space exactly', () => {
    // 2 ordered distinct keys × 2² values × 2 queries = 16 inputs.
    const params = { pairs: 2, key_length: 1, value_length: 1, vocab: 2 };
    expect(() => generate({ ...params, train_examples: 10, val_examples: 6 })).not.toThrow();
    expect(() => generate({ ...params, train_examples: 17 })).toThrow(
      'task.params.train_examples: kv-qa with pairs 2, key_length 1, value_length 1 and vocab 2 ' +
        'has only 16 distinct inputs, asked for 17',
    );
  });
});
