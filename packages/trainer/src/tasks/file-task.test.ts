import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { train } from '../train/train-run';
import { loadFileTask, normalizeFileAnswer, readPairs } from './file-task';
import { generateTask } from './registry';
import { joinTokens, squadNormalize, wordTokens } from './squad-normalize';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'curfew-file-task-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function jsonl(lines: string[]): Promise<string> {
  const file = path.join(dir, 'qa.jsonl');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe("SQuAD's normalisation", () => {
  it('ignores case, punctuation, articles and spacing', () => {
    expect(squadNormalize('The  Eiffel Tower.')).toBe('eiffel tower');
    expect(squadNormalize('a baker')).toBe('baker');
    expect(squadNormalize("Rome's")).toBe('romes');
    expect(squadNormalize('theatre')).toBe('theatre');
  });

  it('tokenizes words and punctuation, and joins them back', () => {
    expect(wordTokens('Where does bob live? In Paris.')).toEqual([
      'Where',
      'does',
      'bob',
      'live',
      '?',
      'In',
      'Paris',
      '.',
    ]);
    expect(joinTokens(['In', 'Paris', '.'])).toBe('In Paris.');
  });
});

describe('a task from a JSONL file', () => {
  it('builds its tokenizer from the data and splits it, the same way every time', async () => {
    const file = await jsonl(
      Array.from({ length: 10 }, (_, i) => JSON.stringify({ input: `q ${i} ?`, target: `A${i}.` })),
    );
    const data = loadFileTask({ file, params: { val_fraction: 0.2, seed: 3 } });
    expect(data.family).toBe('file');
    expect(data.vocab[0]).toBe('<pad>');
    expect(data.train).toHaveLength(8);
    expect(data.val).toHaveLength(2);
    expect(data.inputLength).toBe(3);
    expect(data.targetLength).toBe(2);
    expect(generateTask({ family: 'file', file, params: { val_fraction: 0.2, seed: 3 } })).toEqual(data);
    // "A3." and "a3" are the same answer.
    const answer = data.val[0]?.target ?? [];
    expect(normalizeFileAnswer(answer, data)).toMatch(/^a\d$/);
  });

  it('names the file and line of a broken line', async () => {
    const file = await jsonl([
      '{"input": "x", "target": "y"}',
      '',
      '{"input": "x", "target": ',
      '{"input": "x"}',
    ]);
    expect(() => readPairs(file)).toThrow(new RegExp(`^${file}:3: not valid JSON`));
    const missing = await jsonl(['{"input": "x", "target": "y"}', '{"input": "x"}']);
    expect(() => readPairs(missing)).toThrow(
      `${missing}:2: target: expected a non-empty string, got nothing`,
    );
    const blank = await jsonl(['{"input": "x", "target": "y"}', '{"input": "  ", "target": "y"}']);
    expect(() => readPairs(blank)).toThrow(`${blank}:2: input: expected a non-empty string, got "  "`);
    expect(() => readPairs(path.join(dir, 'nope.jsonl'))).toThrow(
      /^task.file: cannot read .*nope.jsonl \(ENOENT\)$/,
    );
  });

  it('trains the built-in trainer on it, with EM under the normalisation', async () => {
    // The answer is the second word, written as people do: capitalised, with a period.
    const words = ['red', 'green', 'blue', 'gold'];
    const lines = Array.from({ length: 64 }, (_, i) => {
      const w = words[i % 4] as string;
      return JSON.stringify({
        input: `say ${w} now #${i % 16}`,
        target: i % 2 ? `${w[0]?.toUpperCase()}${w.slice(1)}.` : w,
      });
    });
    const file = await jsonl(lines);
    const summary = await train(
      {
        runId: 'file-1/0',
        task: { family: 'file', file, params: { val_fraction: 0.25, seed: 0 } },
        model: { family: 'mlp', params: { hidden: 32, layers: 1, lr: 0.03, batch_size: 16, seed: 0 } },
        budgetTokens: 40_000,
        evalEveryTokens: 4_000,
        policy: { name: 'none' },
      },
      { backend: 'cpu' },
    );
    expect(summary.deployedEm).toBeGreaterThan(0.9);
  }, 60_000);
});
