import { readFileSync } from 'node:fs';
import { createRng } from '@curfew/spec';
import { TaskParamsError } from './errors.js';
import { joinTokens, squadNormalize, wordTokens } from './squad-normalize.js';
import { decodeIds, PAD_SYMBOL } from './symbols.js';
import type { Example, TaskData } from './task.js';

/** `task: { file, params }` as parsed. */
export interface FileTaskInput {
  file: string;
  params?: { val_fraction?: number; seed?: number };
}

/** Most lines read from one file. */
const MAX_LINES = 1_000_000;

interface Pair {
  input: string;
  target: string;
}

/** The pairs of a JSONL file; a broken line is a TaskParamsError naming `file:line`. */
export function readPairs(file: string): Pair[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TaskParamsError(
      `task.file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const pairs: Pair[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const where = `${file}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TaskParamsError(`${where}: not valid JSON (${(error as Error).message})`);
    }
    const obj = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    for (const key of ['input', 'target'] as const)
      if (typeof obj[key] !== 'string' || wordTokens(obj[key] as string).length === 0)
        throw new TaskParamsError(
          `${where}: ${key}: expected a non-empty string, got ${JSON.stringify(obj[key]) ?? 'nothing'}`,
        );
    pairs.push({ input: obj.input as string, target: obj.target as string });
    if (pairs.length > MAX_LINES) throw new TaskParamsError(`${file}: more than ${MAX_LINES} lines`);
  }
  if (pairs.length < 2)
    throw new TaskParamsError(`${file}: expected at least 2 {input, target} lines, got ${pairs.length}`);
  return pairs;
}

/**
 * A task from your own data: its tokenizer is built from the data (words and punctuation, id 0
 * the pad), the lines split into train and validation by a seeded shuffle. Deterministic: the
 * same file and params give the same data on every worker.
 */
export function loadFileTask(spec: FileTaskInput): TaskData {
  const pairs = readPairs(spec.file);
  const symbols = new Map<string, number>([[PAD_SYMBOL, 0]]);
  const encode = (text: string) =>
    wordTokens(text).map((t) => {
      const known = symbols.get(t);
      if (known !== undefined) return known;
      symbols.set(t, symbols.size);
      return symbols.size - 1;
    });
  const examples: Example[] = pairs.map((p) => ({ input: encode(p.input), target: encode(p.target) }));
  const rng = createRng(`task:file:${spec.params?.seed ?? 0}`);
  const order = examples.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const valCount = Math.max(
    1,
    Math.min(examples.length - 1, Math.round(examples.length * (spec.params?.val_fraction ?? 0.2))),
  );
  const shuffled = order.map((i) => examples[i] as Example);
  return {
    family: 'file',
    vocab: [...symbols.keys()],
    inputLength: Math.max(...examples.map((e) => e.input.length)),
    targetLength: Math.max(...examples.map((e) => e.target.length)),
    train: shuffled.slice(valCount),
    val: shuffled.slice(0, valCount),
  };
}

/** A file task's answer normalisation: its tokens as text, then SQuAD's. */
export function normalizeFileAnswer(ids: readonly number[], data: TaskData): string {
  return squadNormalize(joinTokens(decodeIds(ids, data.vocab)));
}
